package com.adsconnect.account.audit;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

@AccountServiceTest
class AuditEventsApiTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Test
    void theTrailIsNewestFirstPagedByCursorAndOnlyTheUsersOwn() {
        Api api = new Api(web, infrastructure.clerk());
        WebTestClient user = api.as("user_audit");
        for (String theme : new String[] {"DARK", "LIGHT", "SYSTEM", "DARK"}) {
            user.patch().uri("/api/v1/me/preferences").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue("{\"theme\":\"" + theme + "\"}").header("User-Agent", "audit-test/1.0")
                    .exchange().expectStatus().isOk();
        }
        api.as("user_other").patch().uri("/api/v1/me").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"displayName\":\"Other\"}").exchange().expectStatus().isOk();

        List<String> actions = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            String uri = "/api/v1/me/audit-events?limit=2" + (cursor == null ? "" : "&cursor=" + cursor);
            @SuppressWarnings("unchecked")
            Map<String, Object> page = user.get().uri(uri).exchange().expectStatus().isOk()
                    .expectBody(Map.class).returnResult().getResponseBody();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
            items.forEach(item -> actions.add((String) item.get("action")));
            cursor = (String) page.get("nextCursor");
            pages++;
        } while (cursor != null && pages < 10);

        assertThat(actions).containsExactly("preferences.updated", "preferences.updated", "preferences.updated",
                "preferences.updated", "user.provisioned");
        assertThat(pages).isEqualTo(3);

        user.get().uri("/api/v1/me/audit-events?limit=1").exchange().expectBody()
                .jsonPath("$.items[0].actorType").isEqualTo("USER")
                .jsonPath("$.items[0].actorId").isEqualTo("user_audit")
                .jsonPath("$.items[0].userAgent").isEqualTo("audit-test/1.0")
                .jsonPath("$.items[0].sourceIp").isNotEmpty()
                .jsonPath("$.items[0].before.preferences.theme").isEqualTo("SYSTEM")
                .jsonPath("$.items[0].after.preferences.theme").isEqualTo("DARK");
    }

    @Test
    void badPagingParametersAnswer400NamingTheParameter() {
        WebTestClient user = new Api(web, infrastructure.clerk()).as("user_audit_bad");
        for (String query : new String[] {"limit=0", "limit=101", "limit=abc"}) {
            user.get().uri("/api/v1/me/audit-events?" + query).exchange().expectStatus().isBadRequest()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        }
        for (String cursor : new String[] {"zzz", "YTot", "Yjox", "%00"}) {
            user.get().uri("/api/v1/me/audit-events?cursor=" + cursor).exchange().expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.errors[0].field").isEqualTo("cursor");
        }
    }
}
