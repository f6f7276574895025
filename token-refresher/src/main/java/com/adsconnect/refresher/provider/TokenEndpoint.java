package com.adsconnect.refresher.provider;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * One provider's token endpoint as {@link OAuthRefreshClient} calls it: where (per region), as whom,
 * with which extra form fields, which error codes mean the refresh token is dead, and the
 * resilience around it.
 *
 * @param provider        {@code amazon}, {@code google}, {@code microsoft}: names metrics and Resilience4j instances
 * @param tokenUrls       the token endpoint per region ({@code GLOBAL} for providers without regions)
 * @param extraForm       form fields the provider wants on a refresh besides the standard ones (Microsoft: {@code scope})
 * @param permanentErrors OAuth error codes after which no retry can succeed: the user has to re-authorize
 */
public record TokenEndpoint(
        String provider,
        String clientId,
        String clientSecret,
        Map<String, URI> tokenUrls,
        Map<String, String> extraForm,
        Set<String> permanentErrors,
        Duration connectTimeout,
        Duration timeLimit,
        int maxConnections,
        TokenEndpointResilience.Retry retry,
        TokenEndpointResilience.CircuitBreaker circuitBreaker,
        TokenEndpointResilience.RateLimit rateLimit) {

    /** The codes RFC 6749 defines for a refresh token or client that will not work again. */
    public static final Set<String> OAUTH_PERMANENT_ERRORS = Set.of("invalid_grant", "invalid_client", "unauthorized_client");

    /** Without the client secret. */
    @Override
    public String toString() {
        return "TokenEndpoint[provider=" + provider + ", clientId=" + clientId + ", tokenUrls=" + tokenUrls + "]";
    }
}
