package com.adsconnect.account.connection;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static com.adsconnect.account.support.AmazonConnect.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** With amazon.pkce on, the sandbox checks the S256 verifier against the challenge, as LWA would. */
@AccountServiceTest
@TestPropertySource(properties = "amazon.pkce=true")
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
}
