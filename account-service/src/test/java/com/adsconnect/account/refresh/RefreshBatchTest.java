package com.adsconnect.account.refresh;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.Internal;
import com.adsconnect.account.support.TestApiKeys;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The batch endpoints the refresher uses: many leases, many reports, one request and one
 * transaction each, with the same rules as one at a time.
 */
@AccountServiceTest
class RefreshBatchTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    RefreshCoordinator coordinator;

    Api api;
    Db db;
    Internal internal;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
        internal = new Internal(web);
    }

    @Test
    void aBatchOfLeasesGrantsEachCurrentGenerationOnceAndNothingElse() {
        String a = claimedConnection("user_batch_lease_a");
        String b = claimedConnection("user_batch_lease_b");
        String stale = claimedConnection("user_batch_lease_stale");

        internal.leases(Map.of("leases", List.of(lease(a, 1), lease(b, 1), lease(stale, 5), lease(a, 1))))
                .expectStatus().isOk()
                .expectHeader().cacheControl(org.springframework.http.CacheControl.noStore())
                .expectBody()
                .jsonPath("$.leases.length()").isEqualTo(2)
                .jsonPath("$.leases[?(@.connectionId == '" + a + "')].refreshToken").value(tokens ->
                        assertThat(tokens.toString()).contains("Atzr|"))
                .jsonPath("$.leases[?(@.connectionId == '" + b + "')].generation").isEqualTo(List.of(1));

        // taken: a second batch gets nothing for them; the stale one's current generation is still free
        internal.leases(Map.of("leases", List.of(lease(a, 1), lease(b, 1), lease(stale, 1))))
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.leases.length()").isEqualTo(1)
                .jsonPath("$.leases[0].connectionId").isEqualTo(stale);
    }

    @Test
    void aMalformedBatchOfLeasesAnswers400AndTakesNothing() {
        String id = claimedConnection("user_batch_lease_bad");
        internal.leases(Map.of("leases", List.of())).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("leases");
        internal.leases(Map.of()).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("leases");
        internal.leases(Map.of("leases", List.of(lease(id, 1), Map.of("connectionId", id)))).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("leases[1].generation");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 501; i++) {
            tooMany.add(lease(id, 1));
        }
        internal.leases(Map.of("leases", tooMany)).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("leases");

        assertThat(db.count("SELECT count(*) FROM connections WHERE id = ?::uuid AND lease_taken_at IS NULL", id)).isEqualTo(1);
        internal.lease(id, 1).expectStatus().isOk();
    }

    @Test
    void aBatchOfReportsAppliesEachByTheRulesOfOneAndAnswersInOrder() {
        String routine = claimedConnection("user_batch_report_ok");
        String failing = claimedConnection("user_batch_report_failing");
        String stale = claimedConnection("user_batch_report_stale");
        String invalid = claimedConnection("user_batch_report_invalid");
        internal.leases(Map.of("leases", List.of(lease(routine, 1), lease(failing, 1), lease(stale, 1), lease(invalid, 1))))
                .expectStatus().isOk();
        String staleBefore = state(stale);
        String invalidBefore = state(invalid);

        Map<String, Object> missingToken = new HashMap<>(Internal.success(invalid, 1, "Atza|x"));
        missingToken.remove("accessToken");
        internal.reports(Map.of("reports", List.of(
                        Internal.success(routine, 1, "Atza|batched"),
                        Internal.failure(failing, 1, "TRANSIENT_FAILURE", "server_error"),
                        Internal.success(stale, 0, "Atza|older"),
                        missingToken,
                        Internal.success(routine, 1, "Atza|again"))))
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.results[*].result").isEqualTo(List.of("APPLIED", "APPLIED", "STALE", "REJECTED", "STALE"))
                .jsonPath("$.results[3].connectionId").isEqualTo(invalid)
                .jsonPath("$.results[3].detail").isEqualTo("a success needs accessToken and expiresInSeconds (1..86400)")
                .jsonPath("$.results[0].detail").doesNotExist();

        assertThat(db.string("SELECT status FROM connections WHERE id = ?::uuid", routine)).isEqualTo("ACTIVE");
        assertThat(db.count("SELECT count(*) FROM connections WHERE id = ?::uuid AND lease_expires_at IS NULL "
                + "AND access_token_expires_at > now() + interval '50 minutes'", routine)).isEqualTo(1);
        internal.token(TestApiKeys.READER, Map.of("userId", "user_batch_report_ok", "connectionId", routine)).expectBody()
                .jsonPath("$.accessToken").isEqualTo("Atza|batched");
        assertThat(db.string("SELECT status || ':' || last_error_code FROM connections WHERE id = ?::uuid", failing))
                .isEqualTo("REFRESH_FAILING:server_error");
        assertThat(state(stale)).isEqualTo(staleBefore);
        assertThat(state(invalid)).isEqualTo(invalidBefore);
    }

    @Test
    void aRefreshTokenThatDidNotChangeKeepsItsCiphertextAndKeyAndARotatedOneIsReplaced() {
        String kept = claimedConnection("user_batch_kept_token");
        String rotated = claimedConnection("user_batch_rotated_token");
        internal.leases(Map.of("leases", List.of(lease(kept, 1), lease(rotated, 1)))).expectStatus().isOk();
        String keptBefore = refreshCiphertext(kept);
        String rotatedBefore = refreshCiphertext(rotated);
        // as if an older key had written it: an unchanged refresh token keeps the key it was encrypted under
        db.execute("UPDATE connection_tokens SET key_id = 42 WHERE connection_id = ?::uuid", kept);

        internal.reports(Map.of("reports", List.of(Internal.success(kept, 1, "Atza|new-access"),
                        Internal.rotated(rotated, 1, "Atza|new-access-2", "Atzr|rotated"))))
                .expectStatus().isOk()
                .expectBody().jsonPath("$.results[*].result").isEqualTo(List.of("APPLIED", "APPLIED"));

        assertThat(refreshCiphertext(kept)).isEqualTo(keptBefore);
        assertThat(db.string("SELECT key_id::text FROM connection_tokens WHERE connection_id = ?::uuid", kept)).isEqualTo("42");
        assertThat(refreshCiphertext(rotated)).isNotEqualTo(rotatedBefore);
        assertThat(db.string("SELECT (key_id <> 42)::text FROM connection_tokens WHERE connection_id = ?::uuid", rotated)).isEqualTo("true");
        // both still decrypt: the next lease carries the right refresh token
        claimAgain(kept);
        claimAgain(rotated);
        internal.lease(kept, 2).expectStatus().isOk().expectBody().jsonPath("$.refreshToken").value(token ->
                assertThat((String) token).startsWith("Atzr|").isNotEqualTo("Atzr|rotated"));
        internal.lease(rotated, 2).expectStatus().isOk().expectBody().jsonPath("$.refreshToken").isEqualTo("Atzr|rotated");
    }

    @Test
    void aMalformedBatchOfReportsAnswers400AndChangesNothing() {
        String id = claimedConnection("user_batch_report_bad");
        internal.lease(id, 1).expectStatus().isOk();
        String before = state(id);
        internal.reports(Map.of("reports", List.of())).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("reports");
        internal.reports(Map.of("reports", List.of(Map.of("connectionId", id, "generation", 1, "outcome", "MAYBE"))))
                .expectStatus().isBadRequest();
        assertThat(state(id)).isEqualTo(before);
    }

    private static Map<String, Object> lease(String connectionId, long generation) {
        return Map.of("connectionId", connectionId, "generation", generation);
    }

    private String claimedConnection(String user) {
        String id = (String) connect(api.as(user), "NA").get("id");
        claimAgain(id);
        return id;
    }

    private void claimAgain(String id) {
        Claims.claimOnly(db, coordinator, id);
    }

    private String refreshCiphertext(String id) {
        return db.string("SELECT md5(refresh_token_ciphertext) FROM connection_tokens WHERE connection_id = ?::uuid", id);
    }

    private String state(String id) {
        return db.string("""
                SELECT c.status || c.version || coalesce(c.last_error_code, '') || coalesce(c.lease_expires_at::text, '')
                    || md5(t.access_token_ciphertext) || md5(t.refresh_token_ciphertext)
                FROM connections c JOIN connection_tokens t ON t.connection_id = c.id WHERE c.id = ?::uuid""", id);
    }
}
