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

@AccountServiceTest
class ProfileApiTest {

    private static final MediaType MERGE_PATCH = MediaType.parseMediaType("application/merge-patch+json");

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
    void theFirstRequestProvisionsTheUserFromTheTokenClaimsOnce() {
        Map<String, Object> claims = Map.of("email", "jit@example.com", "first_name", "Jit", "last_name", "Provisioned");
        api.as("user_jit", claims).get().uri("/api/v1/me").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.id").isEqualTo("user_jit")
                .jsonPath("$.email").isEqualTo("jit@example.com")
                .jsonPath("$.firstName").isEqualTo("Jit")
                .jsonPath("$.createdAt").isNotEmpty();
        api.as("user_jit", claims).get().uri("/api/v1/me").exchange().expectStatus().isOk();

        assertThat(db.count("SELECT count(*) FROM users WHERE id = 'user_jit'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_jit' AND action = 'user.provisioned'"))
                .isEqualTo(1);
    }

    @Test
    void aMergePatchSetsAndClearsEditableFieldsAndIsAudited() {
        WebTestClient alice = api.as("user_patch");
        alice.patch().uri("/api/v1/me").contentType(MERGE_PATCH)
                .bodyValue("{\"displayName\":\"  Alice  \",\"companyName\":\"Acme\",\"jobTitle\":\"PPC lead\"}")
                .exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.displayName").isEqualTo("Alice").jsonPath("$.companyName").isEqualTo("Acme");

        alice.patch().uri("/api/v1/me").contentType(MERGE_PATCH).bodyValue("{\"companyName\":null}")
                .exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.companyName").doesNotExist()
                .jsonPath("$.displayName").isEqualTo("Alice")
                .jsonPath("$.jobTitle").isEqualTo("PPC lead");

        assertThat(db.string("SELECT after::text FROM audit_events WHERE user_id = 'user_patch' AND action = 'profile.updated' ORDER BY id DESC LIMIT 1"))
                .isEqualTo("{\"companyName\": null}");
        assertThat(db.string("SELECT before::text FROM audit_events WHERE user_id = 'user_patch' AND action = 'profile.updated' ORDER BY id DESC LIMIT 1"))
                .isEqualTo("{\"companyName\": \"Acme\"}");
    }

    @Test
    void invalidPatchesAnswer400NamingTheFieldAndChangeNothing() {
        WebTestClient bob = api.as("user_badpatch");
        bob.patch().uri("/api/v1/me").contentType(MERGE_PATCH).bodyValue("{\"displayName\":\"Bob\"}").exchange().expectStatus().isOk();
        String before = db.snapshot();

        expectFieldError(bob, "{\"email\":\"evil@example.com\"}", "email", "is managed in Clerk and cannot be changed here");
        expectFieldError(bob, "{\"isAdmin\":true}", "isAdmin", "is not a profile field");
        expectFieldError(bob, "{\"displayName\":42}", "displayName", "must be a string or null");
        expectFieldError(bob, "{\"displayName\":\"   \"}", "displayName", "must not be blank; send null to clear it");
        expectFieldError(bob, "{\"jobTitle\":\"" + "x".repeat(101) + "\"}", "jobTitle", "must be at most 100 characters");
        expectFieldError(bob, "{\"displayName\":\"a\\u0000b\"}", "displayName", "must not contain control characters");
        bob.patch().uri("/api/v1/me").contentType(MERGE_PATCH).bodyValue("[1,2]").exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/malformed-request");
        bob.patch().uri("/api/v1/me").contentType(MERGE_PATCH).bodyValue("{\"displayName\":").exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/malformed-request");

        assertThat(db.snapshot()).isEqualTo(before);
        bob.get().uri("/api/v1/me").exchange().expectBody().jsonPath("$.displayName").isEqualTo("Bob");
    }

    @Test
    void oneUserCannotSeeOrChangeAnothersProfile() {
        api.as("user_a").patch().uri("/api/v1/me").contentType(MERGE_PATCH).bodyValue("{\"displayName\":\"A\"}")
                .exchange().expectStatus().isOk();
        api.as("user_b").patch().uri("/api/v1/me").contentType(MERGE_PATCH).bodyValue("{\"displayName\":\"B\"}")
                .exchange().expectStatus().isOk();

        api.as("user_a").get().uri("/api/v1/me").exchange().expectBody().jsonPath("$.displayName").isEqualTo("A");
        api.as("user_b").get().uri("/api/v1/me").exchange().expectBody().jsonPath("$.displayName").isEqualTo("B");
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_a' AND actor_id = 'user_b'")).isZero();
    }

    @Test
    void deletingTheAccountMakesItsTokensAnswerGone() {
        WebTestClient carol = api.as("user_delete");
        carol.get().uri("/api/v1/me").exchange().expectStatus().isOk();

        carol.delete().uri("/api/v1/me").exchange().expectStatus().isNoContent();

        for (String path : new String[] {"/api/v1/me", "/api/v1/me/preferences", "/api/v1/me/audit-events"}) {
            api.as("user_delete").get().uri(path).exchange()
                    .expectStatus().isEqualTo(410)
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/user-deleted");
        }
        api.as("user_delete").delete().uri("/api/v1/me").exchange().expectStatus().isEqualTo(410);
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_delete' AND action = 'user.deleted'")).isEqualTo(1);
    }

    private static void expectFieldError(WebTestClient client, String body, String field, String message) {
        client.patch().uri("/api/v1/me").contentType(MERGE_PATCH).bodyValue(body).exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/validation-failed")
                .jsonPath("$.errors[0].field").isEqualTo(field)
                .jsonPath("$.errors[0].message").isEqualTo(message);
    }
}
