package com.adsconnect.refresher.accountservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.refresher.amazon.AmazonProperties;
import com.adsconnect.refresher.google.GoogleProperties;
import com.adsconnect.refresher.microsoft.MicrosoftProperties;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The refresher's settings that hold secrets print none of them. */
class SecretsNotPrintedTest {

    private static final String SECRET = "s3cr3t-value-that-must-not-print";

    @Test
    void theApiKeyAndTheClientSecretAreNotPrinted() {
        AccountServiceProperties accountService = new AccountServiceProperties(URI.create("http://127.0.0.1:8081"), SECRET,
                Duration.ofSeconds(5), 4, Duration.ofSeconds(10), 100, Duration.ofMillis(10), 2);
        AmazonProperties amazon = new AmazonProperties("client-id", SECRET, Map.of(), Duration.ofSeconds(2), Duration.ofSeconds(10),
                200, null, null, null);
        assertThat(accountService.toString()).doesNotContain(SECRET).contains("127.0.0.1:8081");
        assertThat(amazon.toString()).doesNotContain(SECRET).contains("client-id");
        GoogleProperties google = new GoogleProperties("google-client", SECRET, URI.create("https://oauth2.googleapis.com/token"),
                Duration.ofSeconds(2), Duration.ofSeconds(10), 100, null, null, null);
        MicrosoftProperties microsoft = new MicrosoftProperties("microsoft-client", SECRET, "common", "scope",
                URI.create("https://login.microsoftonline.com"), Duration.ofSeconds(2), Duration.ofSeconds(10), 100, null, null, null);
        assertThat(google.toString()).doesNotContain(SECRET).contains("google-client");
        assertThat(microsoft.toString()).doesNotContain(SECRET).contains("microsoft-client");
        assertThat(google.endpoint().toString()).doesNotContain(SECRET);
        assertThat(microsoft.endpoint().toString()).doesNotContain(SECRET);
    }
}
