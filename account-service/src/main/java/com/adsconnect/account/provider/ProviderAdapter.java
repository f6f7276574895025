package com.adsconnect.account.provider;

import java.net.URI;
import java.util.List;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Everything provider-specific about connecting an advertising account: endpoints, scopes, the
 * code exchange, listing the account's profiles, and error mapping. A second provider is one more
 * implementation of this interface plus its configuration.
 */
public interface ProviderAdapter {

    Provider provider();

    Set<String> regions();

    /** Whether authorization requests carry a PKCE S256 challenge. */
    boolean usesPkce();

    /** The URL the browser is sent to; {@code codeChallenge} is null when PKCE is off. */
    URI authorizationUrl(String region, String state, String codeChallenge);

    /** Exchanges an authorization code; {@code codeVerifier} is null when PKCE is off. */
    Mono<ProviderTokens> exchangeCode(String region, String code, String codeVerifier);

    Mono<List<AdvertisingProfile>> listProfiles(String region, String accessToken);

    /**
     * The provider-side identity of the connected account, derived from its profiles, so that
     * connecting the same account again updates the connection instead of adding one.
     */
    String accountKey(List<AdvertisingProfile> profiles);

    /** Base URL of the provider's API in the region, for internal callers. */
    URI apiBaseUrl(String region);

    String clientId();
}
