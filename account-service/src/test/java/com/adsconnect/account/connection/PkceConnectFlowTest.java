package com.adsconnect.account.connection;

import static com.adsconnect.account.support.AmazonConnect.callback;
import static com.adsconnect.account.support.AmazonConnect.connect;
import static com.adsconnect.account.support.AmazonConnect.consent;
import static com.adsconnect.account.support.AmazonConnect.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.AmazonConnect.Redirect;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * PKCE is on by default: every flow sends an S256 challenge, and the sandbox checks the verifier
 * against it at the token endpoint, as Login with Amazon does when a challenge was sent.
 */
@AccountServiceTest
class PkceConnectFlowTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Test
    void sendsAnS256ChallengeAndTheMatchingVerifier() {
        WebTestClient user = new Api(web, infrastructure.clerk()).as("user_pkce");
        String url = (String) start(user, "NA").get("authorizationUrl");
        assertThat(url).contains("code_challenge=").contains("code_challenge_method=S256");

        Map<String, Object> connection = connect(user, "FE");

        assertThat(connection).containsEntry("status", "ACTIVE").containsEntry("region", "FE");
        // the verifier is stored encrypted only
        assertThat(new Db(infrastructure).count(
                "SELECT count(*) FROM oauth_states WHERE user_id = 'user_pkce' AND pkce_verifier_ciphertext IS NOT NULL")).isEqualTo(2);
    }

    /**
     * Code injection (RFC 9700, 4.5): an attacker who stole the code from a victim's redirect puts
     * it into a flow of their own, with their own valid state. The code is bound to the victim's
     * challenge, the attacker's flow holds another verifier: the exchange is refused, and the
     * victim's Amazon account is connected to nobody.
     */
    @Test
    void aCodeStolenFromAnotherFlowCannotBeRedeemedInTheAttackersFlow() {
        Db db = new Db(infrastructure);
        WebTestClient victim = new Api(web, infrastructure.clerk()).as("user_pkce_victim");
        WebTestClient attacker = new Api(web, infrastructure.clerk()).as("user_pkce_attacker");
        Redirect victims = consent((String) start(victim, "NA").get("authorizationUrl"));
        Redirect attackers = consent((String) start(attacker, "NA").get("authorizationUrl"));

        callback(attacker, new Redirect(victims.code(), attackers.state()))
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/provider-authorization-failed")
                .jsonPath("$.providerError").isEqualTo("invalid_grant");

        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = 'user_pkce_attacker'")).isZero();
        assertThat(db.count("SELECT count(*) FROM connection_tokens t JOIN connections c ON c.id = t.connection_id "
                + "WHERE c.user_id = 'user_pkce_attacker'")).isZero();
        // the attacker's state was spent on the refused exchange: it cannot be tried again
        callback(attacker, attackers).expectStatus().isBadRequest().expectBody()
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/oauth-state-invalid");
    }
}
