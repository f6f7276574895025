package com.adsconnect.refresher.amazon;

import com.adsconnect.refresher.provider.TokenEndpoint;
import com.adsconnect.refresher.provider.TokenEndpointResilience;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Login with Amazon's token endpoint and the resilience around it. Env: {@code AMAZON_CLIENT_ID},
 * {@code AMAZON_CLIENT_SECRET}, {@code AMAZON_REGIONS_NA_TOKEN_URL}, {@code AMAZON_RETRY_MAX_ATTEMPTS}, ...
 *
 * @param clientId        the LWA client id (the same security profile as account-service's)
 * @param clientSecret    its secret
 * @param regions         the token endpoint per region
 * @param connectTimeout  TCP connect timeout
 * @param timeLimit       the most one token call may take (the time limiter)
 * @param maxConnections  connections to Amazon per region host
 * @param retry           retries on I/O errors, timeouts, 5xx and 429
 * @param circuitBreaker  per region
 * @param rateLimit       per region, Amazon's quota
 */
@Validated
@ConfigurationProperties("amazon")
public record AmazonProperties(
        @NotBlank String clientId,
        @NotBlank String clientSecret,
        @NotEmpty Map<String, @Valid Region> regions,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration timeLimit,
        @Min(1) @DefaultValue("200") int maxConnections,
        @NotNull @Valid @DefaultValue TokenEndpointResilience.Retry retry,
        @NotNull @Valid @DefaultValue TokenEndpointResilience.CircuitBreaker circuitBreaker,
        @NotNull @Valid @DefaultValue TokenEndpointResilience.RateLimit rateLimit) {

    /** Without the client secret. */
    @Override
    public String toString() {
        return "AmazonProperties[clientId=" + clientId + ", regions=" + regions + ", timeLimit=" + timeLimit + ", rateLimit=" + rateLimit + "]";
    }

    public record Region(@NotNull URI tokenUrl) {
    }

    /** The token endpoint as the refresh client calls it: LWA's error codes are RFC 6749's. */
    public TokenEndpoint endpoint() {
        Map<String, URI> urls = new java.util.TreeMap<>();
        regions.forEach((region, endpoint) -> urls.put(region, endpoint.tokenUrl()));
        return new TokenEndpoint("amazon", clientId, clientSecret, urls, Map.of(), TokenEndpoint.OAUTH_PERMANENT_ERRORS,
                connectTimeout, timeLimit, maxConnections, retry, circuitBreaker, rateLimit);
    }
}
