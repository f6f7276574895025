package com.adsconnect.account.provider;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Everything provider-specific about connecting an advertising account: endpoints, scopes, the
 * code exchange, listing the account's profiles, revocation, what internal callers need to call
 * the provider's API, and error mapping. A provider is one implementation of this interface plus
 * its configuration; an adapter exists only for a configured provider.
 */
public interface ProviderAdapter {

    /** The region of every connection of a provider that has none. */
    String GLOBAL = "GLOBAL";

    Provider provider();

    /** Where accounts live: Amazon's NA, EU and FE; {@link #GLOBAL} alone for providers without regions. */
    default Set<String> regions() {
        return Set.of(GLOBAL);
    }

    /** The region a start request without one gets; null when the user has to choose. */
    default String defaultRegion() {
        return regions().size() == 1 ? regions().iterator().next() : null;
    }

    /** Whether authorization requests carry a PKCE S256 challenge. */
    boolean usesPkce();

    /** The scopes a connection needs; one granted fewer is flagged, not silently used. */
    Set<String> requiredScopes();

    /** The required scopes that {@code granted} lacks, sorted; none when what was granted is not known (null). */
    default Set<String> missingScopes(Set<String> granted) {
        if (granted == null) {
            return Set.of();
        }
        Set<String> missing = new java.util.TreeSet<>(requiredScopes());
        missing.removeAll(granted);
        return missing;
    }

    /** The URL the browser is sent to; {@code codeChallenge} is null when PKCE is off. */
    URI authorizationUrl(String region, String state, String codeChallenge);

    /** Exchanges an authorization code; {@code codeVerifier} is null when PKCE is off. */
    Mono<ProviderTokens> exchangeCode(String region, String code, String codeVerifier);

    Mono<List<AdvertisingProfile>> listProfiles(String region, String accessToken);

    /**
     * The provider-side identity of the connected account, derived from its profiles, so that
     * connecting the same account again updates the connection instead of adding one. By default
     * the smallest numeric account id among them: stable for the same sign-in, whichever order the
     * provider lists them in.
     */
    default String accountKey(List<AdvertisingProfile> profiles) {
        return profiles.stream()
                .map(AdvertisingProfile::accountId)
                .filter(id -> id != null && !id.isBlank())
                .min(java.util.Comparator.comparingInt(String::length).thenComparing(java.util.Comparator.naturalOrder()))
                .orElse(null);
    }

    /**
     * Revokes the grant at the provider where it offers that (disconnect); completes empty where it
     * does not. Fails with {@link ProviderException}.
     */
    default Mono<Void> revoke(String region, String refreshToken) {
        return Mono.empty();
    }

    /** Whether {@link #revoke} reaches the provider. */
    default boolean revokes() {
        return false;
    }

    /** Base URL of the provider's API in the region, for internal callers. */
    URI apiBaseUrl(String region);

    /**
     * What an internal caller must send with the access token to call the provider's API for a
     * profile (Google's {@code login-customer-id}, Microsoft's {@code CustomerId} and
     * {@code CustomerAccountId}), as header name to value. Never our client secret or developer token.
     */
    default Map<String, String> callContext(AdvertisingProfile profile) {
        return Map.of();
    }

    /** Whether {@link #callContext} says anything: if not, the token API does not read profiles for it. */
    default boolean hasCallContext() {
        return false;
    }

    String clientId();
}
