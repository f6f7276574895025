package com.adsconnect.account.provider.amazon;

import com.adsconnect.account.provider.AdvertisingProfile;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.provider.ProviderAdapter;
import com.adsconnect.account.provider.ProviderHttp;
import com.adsconnect.account.provider.ProviderTokens;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Login with Amazon (authorization code grant) and the Ads API profile listing. Requests are
 * form-encoded as LWA expects; failures are mapped from LWA's {@code {error, error_description}}
 * and HTTP statuses ({@link ProviderHttp}). Amazon offers no revocation of a single grant.
 */
@Component
class AmazonAdapter implements ProviderAdapter {

    private final AmazonProperties amazon;
    private final ProviderHttp http;
    private final ProviderHttp.OAuthClient client;

    AmazonAdapter(AmazonProperties amazon, WebClient.Builder webClientBuilder, JsonMapper json) {
        this.amazon = amazon;
        this.client = new ProviderHttp.OAuthClient(amazon.clientId(), amazon.clientSecret(), amazon.redirectUri());
        this.http = new ProviderHttp(Provider.AMAZON, new ProviderHttp.Settings(amazon.connectTimeout(), amazon.responseTimeout(),
                amazon.maxConnections()), webClientBuilder, json);
    }

    @Override
    public Provider provider() {
        return Provider.AMAZON;
    }

    @Override
    public Set<String> regions() {
        return new TreeSet<>(amazon.regions().keySet());
    }

    @Override
    public boolean usesPkce() {
        return amazon.pkce();
    }

    @Override
    public Set<String> requiredScopes() {
        return ProviderHttp.scopes(amazon.scope());
    }

    @Override
    public String clientId() {
        return amazon.clientId();
    }

    @Override
    public URI apiBaseUrl(String region) {
        return endpoints(region).apiBaseUrl();
    }

    @Override
    public URI authorizationUrl(String region, String state, String codeChallenge) {
        return ProviderHttp.authorizationUrl(endpoints(region).authorizationUrl(), Map.of("client_id", amazon.clientId(),
                "scope", amazon.scope(), "response_type", "code", "redirect_uri", amazon.redirectUri().toString(), "state", state),
                codeChallenge);
    }

    @Override
    public Mono<ProviderTokens> exchangeCode(String region, String code, String codeVerifier) {
        return http.exchangeCode(endpoints(region).tokenUrl(), client, code, codeVerifier, Map.of());
    }

    @Override
    public Mono<List<AdvertisingProfile>> listProfiles(String region, String accessToken) {
        URI profiles = UriComponentsBuilder.fromUri(endpoints(region).apiBaseUrl()).path("/v2/profiles").build().toUri();
        return http.call(http.webClient().get().uri(profiles)
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + accessToken)
                        .header("Amazon-Advertising-API-ClientId", amazon.clientId())
                        .accept(MediaType.APPLICATION_JSON),
                this::toProfiles);
    }

    /**
     * Amazon has no account id in the token response (the scope does not include the LWA
     * profile), so the account is identified by the smallest advertiser account id among its
     * profiles: stable while the account exists, and the same whichever profile is listed first.
     */
    @Override
    public String accountKey(List<AdvertisingProfile> profiles) {
        return profiles.stream()
                .map(AdvertisingProfile::accountId)
                .filter(id -> id != null && !id.isBlank())
                .min(Comparator.naturalOrder())
                .orElse(null);
    }

    private AmazonProperties.RegionEndpoints endpoints(String region) {
        AmazonProperties.RegionEndpoints endpoints = amazon.regions().get(region.toUpperCase(Locale.ROOT));
        if (endpoints == null) {
            throw new IllegalArgumentException("unknown Amazon region " + region);
        }
        return endpoints;
    }

    private List<AdvertisingProfile> toProfiles(ProviderHttp.Answer answer) {
        if (!answer.status().is2xxSuccessful()) {
            throw http.oauthFailure(answer);
        }
        JsonNode node = http.parse(answer.body());
        if (!node.isArray()) {
            throw http.unavailable("Amazon's profile list is not a JSON array");
        }
        List<AdvertisingProfile> profiles = new ArrayList<>();
        for (JsonNode profile : node) {
            String id = ProviderHttp.id(profile, "profileId");
            if (id == null) {
                throw http.unavailable("an Amazon profile has no profileId");
            }
            JsonNode account = profile.path("accountInfo");
            profiles.add(new AdvertisingProfile(id,
                    ProviderHttp.text(profile, "countryCode"),
                    ProviderHttp.text(profile, "currencyCode"),
                    ProviderHttp.text(profile, "timezone"),
                    ProviderHttp.text(account, "marketplaceStringId"),
                    ProviderHttp.text(account, "id"),
                    ProviderHttp.text(account, "type"),
                    ProviderHttp.text(account, "name")));
        }
        return profiles;
    }
}
