package com.adsconnect.account.retention;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.user.UserPurge;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.test.StepVerifier;

@AccountServiceTest
class RetentionTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    UserPurge userPurge;

    @Autowired
    RetentionJob retentionJob;

    @Test
    void oldAuditEventsAndWebhookIdsAreDeletedAndRecentOnesKept() {
        Db db = new Db(infrastructure);
        db.execute("INSERT INTO audit_events (user_id, actor_type, action, occurred_at) VALUES ('user_old', 'SYSTEM', 'x', now() - interval '401 days')");
        db.execute("INSERT INTO audit_events (user_id, actor_type, action, occurred_at) VALUES ('user_old', 'SYSTEM', 'y', now() - interval '399 days')");
        db.execute("INSERT INTO processed_webhooks (svix_id, event_type, received_at) VALUES ('msg_old', 'user.created', now() - interval '31 days')");
        db.execute("INSERT INTO processed_webhooks (svix_id, event_type, received_at) VALUES ('msg_new', 'user.created', now() - interval '29 days')");

        StepVerifier.create(retentionJob.run()).verifyComplete();

        assertThat(db.string("SELECT string_agg(action, ',') FROM audit_events WHERE user_id = 'user_old'")).isEqualTo("y");
        assertThat(db.string("SELECT string_agg(svix_id, ',') FROM processed_webhooks WHERE svix_id LIKE 'msg_%'")).isEqualTo("msg_new");
    }

    @Test
    void aDeletedUsersPersonalDataIsErasedOnlyAfterTheRetentionPeriod() {
        Api api = new Api(web, infrastructure.clerk());
        Db db = new Db(infrastructure);
        WebTestClient gone = api.as("user_purge", java.util.Map.of("email", "purge@example.com"));
        gone.patch().uri("/api/v1/me/preferences").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"theme\":\"DARK\"}")
                .exchange().expectStatus().isOk();
        gone.delete().uri("/api/v1/me").exchange().expectStatus().isNoContent();
        api.as("user_keep", java.util.Map.of("email", "keep@example.com")).get().uri("/api/v1/me").exchange().expectStatus().isOk();

        StepVerifier.create(userPurge.purgeDeletedBefore(Instant.now().minusSeconds(3600))).expectNext(0L).verifyComplete();
        assertThat(db.string("SELECT email FROM users WHERE id = 'user_purge'")).isEqualTo("purge@example.com");

        StepVerifier.create(userPurge.purgeDeletedBefore(Instant.now().plusSeconds(1))).expectNext(1L).verifyComplete();

        assertThat(db.count("SELECT count(*) FROM users WHERE id = 'user_purge' AND email IS NULL AND purged_at IS NOT NULL")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM user_preferences WHERE user_id = 'user_purge'")).isZero();
        assertThat(db.count("SELECT count(*) FROM user_preference_history WHERE user_id = 'user_purge'")).isZero();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_purge' AND (before IS NOT NULL OR after IS NOT NULL)")).isZero();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_purge' AND action = 'user.purged'")).isEqualTo(1);
        assertThat(db.string("SELECT email FROM users WHERE id = 'user_keep'")).isEqualTo("keep@example.com");

        StepVerifier.create(userPurge.purgeDeletedBefore(Instant.now().plusSeconds(1))).expectNext(0L).verifyComplete();
    }
}
