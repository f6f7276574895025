package com.adsconnect.refresher.microsoft;

import com.adsconnect.refresher.provider.TokenEndpoint;
import com.adsconnect.refresher.provider.TokenEndpointResilience;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Microsoft identity platform's token endpoint and the resilience around it. Microsoft
 * refreshes are enabled when {@code microsoft.client-id} is set (the same app registration as
 * account-service's); then the secret is required too. Env: {@code MICROSOFT_CLIENT_ID},
 * {@code MICROSOFT_CLIENT_SECRET}, {@code MICROSOFT_TENANT}, ...
 *
 * @param tenant          as account-service's: a code redeemed in one tenant refreshes in the same
 * @param scope           what a refresh asks for (the resource scope and offline access)
 * @param loginBaseUrl    the identity platform's host
 */
@Validated
@ConfigurationProperties("microsoft")
public record MicrosoftProperties(
        String clientId,
        String clientSecret,
        @NotBlank @Pattern(regexp = "[A-Za-z0-9.-]{1,64}") @DefaultValue("common") String tenant,
        @NotBlank @DefaultValue("https://ads.microsoft.com/msads.manage offline_access") String scope,
        @NotNull @DefaultValue("https://login.microsoftonline.com") URI loginBaseUrl,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration timeLimit,
        @Min(1) @DefaultValue("100") int maxConnections,
        @NotNull @Valid @DefaultValue TokenEndpointResilience.Retry retry,
        @NotNull @Valid @DefaultValue TokenEndpointResilience.CircuitBreaker circuitBreaker,
        @NotNull @Valid @DefaultValue TokenEndpointResilience.RateLimit rateLimit) {

    public MicrosoftProperties {
        if (enabled() && (clientSecret == null || clientSecret.isBlank())) {
            throw new IllegalArgumentException("microsoft.client-id is set: microsoft.client-secret must be set too");
        }
    }

    public boolean enabled() {
        return clientId != null && !clientId.isBlank();
    }

    /**
     * The v2.0 token endpoint: RFC 6749 errors with AADSTS details; {@code interaction_required}
     * and {@code consent_required} (multi-factor or consent the user has to give again) end the
     * grant like {@code invalid_grant}. Every refresh answers a new refresh token. No regions.
     */
    public TokenEndpoint endpoint() {
        Set<String> permanent = new HashSet<>(TokenEndpoint.OAUTH_PERMANENT_ERRORS);
        permanent.addAll(Set.of("interaction_required", "consent_required"));
        return new TokenEndpoint("microsoft", clientId, clientSecret,
                Map.of("GLOBAL", URI.create(loginBaseUrl + "/" + tenant + "/oauth2/v2.0/token")), Map.of("scope", scope),
                Set.copyOf(permanent), connectTimeout, timeLimit, maxConnections, retry, circuitBreaker, rateLimit);
    }

    /** Without the client secret. */
    @Override
    public String toString() {
        return "MicrosoftProperties[clientId=" + clientId + ", tenant=" + tenant + ", rateLimit=" + rateLimit + "]";
    }
}
