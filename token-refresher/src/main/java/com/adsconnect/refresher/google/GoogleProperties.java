package com.adsconnect.refresher.google;

import com.adsconnect.refresher.provider.TokenEndpoint;
import com.adsconnect.refresher.provider.TokenEndpointResilience;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Google's token endpoint and the resilience around it. Google refreshes are enabled when
 * {@code google.client-id} is set (the same OAuth client as account-service's); then the secret is
 * required too. Env: {@code GOOGLE_CLIENT_ID}, {@code GOOGLE_CLIENT_SECRET}, {@code GOOGLE_TOKEN_URL}, ...
 *
 * @param tokenUrl        Google's token endpoint
 * @param connectTimeout  TCP connect timeout
 * @param timeLimit       the most one token call may take
 * @param maxConnections  connections to Google
 * @param retry           retries on I/O errors, timeouts, 5xx and 429
 * @param circuitBreaker  Google's own breaker
 * @param rateLimit       Google's own quota
 */
@Validated
@ConfigurationProperties("google")
public record GoogleProperties(
        String clientId,
        String clientSecret,
        @NotNull @DefaultValue("https://oauth2.googleapis.com/token") URI tokenUrl,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration timeLimit,
        @Min(1) @DefaultValue("100") int maxConnections,
        @NotNull @Valid @DefaultValue TokenEndpointResilience.Retry retry,
        @NotNull @Valid @DefaultValue TokenEndpointResilience.CircuitBreaker circuitBreaker,
        @NotNull @Valid @DefaultValue TokenEndpointResilience.RateLimit rateLimit) {

    public GoogleProperties {
        if (enabled() && (clientSecret == null || clientSecret.isBlank())) {
            throw new IllegalArgumentException("google.client-id is set: google.client-secret must be set too");
        }
    }

    public boolean enabled() {
        return clientId != null && !clientId.isBlank();
    }

    /**
     * Google's token endpoint: RFC 6749 errors ({@code invalid_grant} for a revoked, expired or
     * unused-for-six-months refresh token); a refresh answer carries no new refresh token. No regions.
     */
    public TokenEndpoint endpoint() {
        return new TokenEndpoint("google", clientId, clientSecret, Map.of("GLOBAL", tokenUrl), Map.of(),
                TokenEndpoint.OAUTH_PERMANENT_ERRORS, connectTimeout, timeLimit, maxConnections, retry, circuitBreaker, rateLimit);
    }

    /** Without the client secret. */
    @Override
    public String toString() {
        return "GoogleProperties[clientId=" + clientId + ", tokenUrl=" + tokenUrl + ", rateLimit=" + rateLimit + "]";
    }
}
