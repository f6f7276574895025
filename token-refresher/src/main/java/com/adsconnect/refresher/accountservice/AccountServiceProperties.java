package com.adsconnect.refresher.accountservice;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * account-service's internal API. Env: {@code ACCOUNT_SERVICE_URL}, {@code ACCOUNT_SERVICE_API_KEY}
 * (a service API key with scope {@code refresh:lease}), {@code ACCOUNT_SERVICE_TIMEOUT}.
 *
 * @param url          base URL of account-service (not the gateway: /internal is never routed there)
 * @param apiKey       the key; sent as a bearer token
 * @param timeout      per call
 * @param maxAttempts  calls in all on I/O errors, timeouts and 5xx
 * @param circuitOpen  how long the circuit breaker stays open once account-service failed most calls
 * @param batchSize    leases (and reports) asked for in one request at most
 * @param batchLinger  how long the first lease (or report) of a batch waits for others before the batch leaves
 * @param batchConcurrency batch requests of each kind in flight at once; further items wait for one to end
 */
@Validated
@ConfigurationProperties("account-service")
public record AccountServiceProperties(
        @NotNull @DefaultValue("http://127.0.0.1:8081") URI url,
        @NotBlank String apiKey,
        @NotNull @DefaultValue("5s") Duration timeout,
        @Min(1) @DefaultValue("4") int maxAttempts,
        @NotNull @DefaultValue("10s") Duration circuitOpen,
        @Min(1) @Max(500) @DefaultValue("100") int batchSize,
        @NotNull @DefaultValue("10ms") Duration batchLinger,
        @Min(1) @DefaultValue("2") int batchConcurrency) {

    /** Without the API key. */
    @Override
    public String toString() {
        return "AccountServiceProperties[url=" + url + ", timeout=" + timeout + ", maxAttempts=" + maxAttempts + ", batchSize=" + batchSize
                + ", batchLinger=" + batchLinger + "]";
    }
}
