package com.adsconnect.account.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.provider.amazon.AmazonProperties;
import com.adsconnect.account.vault.TokenVaultProperties;
import com.adsconnect.account.webhook.ClerkWebhookProperties;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Records that carry a code, state, verifier, secret or key print none of it (logs, errors, debug output). */
class SecretsNotPrintedTest {

    private static final String SECRET = "s3cr3t-value-that-must-not-print";

    @Test
    void noRecordCarryingASecretPrintsIt() {
        Object[] holders = {
                new ConnectionController.CallbackRequest(SECRET, SECRET + "-state"),
                new OAuthStates.Issued(SECRET, "challenge", Instant.now()),
                new OAuthStates.Consumed(Provider.AMAZON, "NA", UUID.randomUUID(), SECRET),
                new AmazonProperties("client-id", SECRET, URI.create("https://app.example/callback"), "scope", true,
                        Map.of(), Duration.ofSeconds(2), Duration.ofSeconds(10), 100),
                new TokenVaultProperties("{\"primaryKeyId\":1," + SECRET + "}", null, Duration.ofMinutes(10), 200),
                new ClerkWebhookProperties("whsec_" + SECRET, Duration.ofMinutes(5)),
                new AuthorizationStart(URI.create("https://www.amazon.com/ap/oa?state=" + SECRET), SECRET, Instant.now()),
        };
        for (Object holder : holders) {
            assertThat(holder.toString()).as(holder.getClass().getSimpleName()).doesNotContain(SECRET);
        }
        // what they still say is useful
        assertThat(new OAuthStates.Consumed(Provider.AMAZON, "EU", null, SECRET).toString()).contains("EU", "pkce=true");
        assertThat(new ConnectionController.CallbackRequest(null, SECRET).toString()).contains("code=none");
    }
}
