package com.adsconnect.account.connection;

import static com.adsconnect.account.support.AmazonConnect.callback;
import static com.adsconnect.account.support.AmazonConnect.connect;
import static com.adsconnect.account.support.AmazonConnect.consent;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.AmazonConnect.Redirect;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.amazon.SandboxAmazonAccount;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

@AccountServiceTest
class ConnectionLifecycleTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    Api api;
    Db db;
    SandboxAmazon amazon;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
        amazon = infrastructure.amazon();
        amazon.reset();
    }

    @AfterEach
    void tearDown() {
        amazon.reset();
    }

    @Test
    void anotherUsersConnectionAnswers404EverywhereAndChangesNothing() {
        Map<String, Object> owned = connect(api.as("user_owner_c"), "NA");
        String id = (String) owned.get("id");
        WebTestClient intruder = api.as("user_intruder_c");
        connect(intruder, "EU");
        String before = snapshot();

        intruder.get().uri("/api/v1/amazon/connections/" + id).exchange().expectStatus().isNotFound();
        intruder.post().uri("/api/v1/amazon/connections/" + id + "/sync").exchange().expectStatus().isNotFound();
        intruder.post().uri("/api/v1/amazon/connections/" + id + "/reauthorize").exchange().expectStatus().isNotFound();
        intruder.delete().uri("/api/v1/amazon/connections/" + id).exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/not-found");
        intruder.get().uri("/api/v1/amazon/connections").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.length()").isEqualTo(1).jsonPath("$[0].region").isEqualTo("EU");

        assertThat(snapshot()).isEqualTo(before);
        api.as("user_owner_c").get().uri("/api/v1/amazon/connections/" + id).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("ACTIVE");
    }

    @Test
    void disconnectDeletesTheTokensKeepsTheTrailAndAReconnectRevivesIt() {
        WebTestClient user = api.as("user_disconnect");
        String id = (String) connect(user, "NA").get("id");

        user.delete().uri("/api/v1/amazon/connections/" + id).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("DISCONNECTED").jsonPath("$.disconnectedAt").isNotEmpty();

        assertThat(db.count("SELECT count(*) FROM connection_tokens WHERE connection_id = ?::uuid", id)).isZero();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_disconnect' AND action = 'connection.disconnected'"))
                .isEqualTo(1);
        user.post().uri("/api/v1/amazon/connections/" + id + "/sync").exchange().expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/connection-not-usable")
                .jsonPath("$.status").isEqualTo(409).jsonPath("$.connectionStatus").isEqualTo("DISCONNECTED");
        user.delete().uri("/api/v1/amazon/connections/" + id).exchange().expectStatus().isOk();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_disconnect' AND action = 'connection.disconnected'"))
                .isEqualTo(1);

        Map<String, Object> again = connect(user, "NA");
        assertThat(again.get("id")).isEqualTo(id);
        assertThat(again.get("status")).isEqualTo("ACTIVE");
    }

    @Test
    void deletingTheUserDisconnectsEveryConnectionAndDeletesItsTokens() {
        WebTestClient user = api.as("user_delete_cascade");
        String na = (String) connect(user, "NA").get("id");
        String eu = (String) connect(user, "EU").get("id");

        user.delete().uri("/api/v1/me").exchange().expectStatus().isNoContent();

        assertThat(db.count("SELECT count(*) FROM connection_tokens WHERE connection_id IN (?::uuid, ?::uuid)", na, eu)).isZero();
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = 'user_delete_cascade' AND status = 'DISCONNECTED'"))
                .isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_delete_cascade' AND action = 'connection.disconnected'"))
                .isEqualTo(2);
    }

    @Test
    void reauthorizeReturnsAConnectionNeedingItToActive() {
        WebTestClient user = api.as("user_reauth");
        String id = (String) connect(user, "EU").get("id");
        db.execute("UPDATE connections SET status = 'REAUTH_REQUIRED', last_error_code = 'invalid_grant', last_error_at = now() WHERE id = ?::uuid", id);
        user.get().uri("/api/v1/amazon/connections/" + id).exchange().expectBody()
                .jsonPath("$.health.warning").isNotEmpty()
                .jsonPath("$.health.lastError.code").isEqualTo("invalid_grant");

        String url = (String) user.post().uri("/api/v1/amazon/connections/" + id + "/reauthorize").exchange()
                .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("authorizationUrl");
        assertThat(url).startsWith(amazon.baseUrl() + "/eu/ap/oa?");
        callback(user, consent(url)).expectStatus().isOk()
                .expectBody()
                .jsonPath("$.id").isEqualTo(id)
                .jsonPath("$.status").isEqualTo("ACTIVE")
                .jsonPath("$.health.lastError").doesNotExist()
                .jsonPath("$.health.warning").doesNotExist();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_reauth' AND action = 'connection.reauthorized'"))
                .isEqualTo(1);
    }

    @Test
    void reauthorizingWithAnotherAmazonAccountIsRefusedAndChangesNothing() {
        WebTestClient user = api.as("user_reauth_other");
        String id = (String) connect(user, "NA").get("id");
        String url = (String) user.post().uri("/api/v1/amazon/connections/" + id + "/reauthorize").exchange()
                .expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody().get("authorizationUrl");
        amazon.grantNext("NA", new SandboxAmazonAccount("A9DIFFERENT", "Different", "seller",
                List.of(new SandboxAmazonAccount.Profile(5_000_000_000_000_001L, "US", "USD", "America/New_York", "ATVPDKIKX0DER"))));
        String before = snapshot();

        callback(user, consent(url)).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/provider-account-mismatch");

        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void syncListsTheProfilesAgain() {
        WebTestClient user = api.as("user_sync");
        String id = (String) connect(user, "NA").get("id");
        db.execute("DELETE FROM connection_profiles WHERE connection_id = ?::uuid", id);
        user.get().uri("/api/v1/amazon/connections/" + id).exchange().expectBody().jsonPath("$.profiles.length()").isEqualTo(0);

        user.post().uri("/api/v1/amazon/connections/" + id + "/sync").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.profiles.length()").isEqualTo(2);
        assertThat(db.count("SELECT count(*) FROM connection_profiles WHERE connection_id = ?::uuid", id)).isEqualTo(2);
    }

    @Test
    void theDatabaseHoldsNoTokenAmazonIssued() {
        connect(api.as("user_dump_1"), "NA");
        connect(api.as("user_dump_2"), "EU");
        Redirect pending = consent((String) com.adsconnect.account.support.AmazonConnect.start(api.as("user_dump_3"), "FE")
                .get("authorizationUrl"));

        String dump = db.string("""
                SELECT string_agg(t, E'\\n') FROM (
                  SELECT row_to_json(c)::text AS t FROM connections c
                  UNION ALL SELECT row_to_json(k)::text FROM connection_tokens k
                  UNION ALL SELECT row_to_json(p)::text FROM connection_profiles p
                  UNION ALL SELECT row_to_json(s)::text FROM oauth_states s
                  UNION ALL SELECT row_to_json(a)::text FROM audit_events a
                  UNION ALL SELECT row_to_json(u)::text FROM users u) rows""");

        List<String> issued = amazon.issuedTokens();
        assertThat(issued).hasSizeGreaterThanOrEqualTo(4);
        assertThat(dump).contains("\\\\x"); // the ciphertexts are there, as bytea
        for (String token : issued) {
            assertThat(dump).doesNotContain(token);
            assertThat(dump).doesNotContain(java.util.HexFormat.of().formatHex(token.getBytes()));
        }
        assertThat(dump).doesNotContain(pending.state()).doesNotContain(pending.code());
    }

    @Test
    void aCiphertextCopiedToAnotherRowDoesNotDecrypt() {
        String victim = (String) connect(api.as("user_victim"), "NA").get("id");
        WebTestClient attacker = api.as("user_attacker");
        String own = (String) connect(attacker, "NA").get("id");
        attacker.post().uri("/api/v1/amazon/connections/" + own + "/sync").exchange().expectStatus().isOk();

        db.execute("""
                UPDATE connection_tokens SET access_token_ciphertext =
                  (SELECT access_token_ciphertext FROM connection_tokens WHERE connection_id = ?::uuid)
                WHERE connection_id = ?::uuid""", victim, own);

        attacker.post().uri("/api/v1/amazon/connections/" + own + "/sync").exchange()
                .expectStatus().isEqualTo(500)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/internal-error")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).doesNotContain("Atza"));
    }

    private String snapshot() {
        return "connections=" + db.count("SELECT count(*) FROM connections")
                + " tokens=" + db.string("SELECT coalesce(string_agg(md5(access_token_ciphertext::text), ',' ORDER BY connection_id), '') FROM connection_tokens")
                + " profiles=" + db.count("SELECT count(*) FROM connection_profiles")
                + " audit=" + db.count("SELECT count(*) FROM audit_events")
                + " version=" + db.count("SELECT coalesce(sum(version), 0) FROM connections")
                + " status=" + db.string("SELECT coalesce(string_agg(status, ',' ORDER BY id), '') FROM connections");
    }
}
