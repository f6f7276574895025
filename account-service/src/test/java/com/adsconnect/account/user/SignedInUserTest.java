package com.adsconnect.account.user;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The signed-in user, resolved for controllers of every feature by {@link SignedInUserResolver}. */
@AccountServiceTest
class SignedInUserTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    Api api;
    Db db;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
    }

    @Test
    void aRequestRefusedForItsOwnContentProvisionsNobody() {
        WebTestClient newcomer = api.as("user_never_provisioned");
        newcomer.post().uri("/api/v1/amazon/connections/callback").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", "abc")).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("state");
        newcomer.get().uri("/api/v1/me/audit-events?cursor=not-a-cursor").exchange().expectStatus().isBadRequest();

        assertThat(db.count("SELECT count(*) FROM users WHERE id = 'user_never_provisioned'")).isZero();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_never_provisioned'")).isZero();
    }

    @Test
    void everyFeatureSeesTheSameUserAndADeletedUserIsGoneEverywhere() {
        WebTestClient user = api.as("user_everywhere");
        user.get().uri("/api/v1/amazon/connections").exchange().expectStatus().isOk();
        user.get().uri("/api/v1/me/preferences").exchange().expectStatus().isOk();
        user.get().uri("/api/v1/me/audit-events").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.items[0].action").isEqualTo("user.provisioned");
        assertThat(db.count("SELECT count(*) FROM users WHERE id = 'user_everywhere'")).isEqualTo(1);

        user.delete().uri("/api/v1/me").exchange().expectStatus().isNoContent();
        for (String path : new String[] {"/api/v1/amazon/connections", "/api/v1/me/preferences", "/api/v1/me/audit-events"}) {
            user.get().uri(path).exchange().expectStatus().isEqualTo(410)
                    .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/user-deleted");
        }
    }
}
