package com.adsconnect.account.provider.amazon;

import com.adsconnect.account.provider.AdvertisingProfile;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.provider.ProviderAdapter;
import com.adsconnect.account.provider.ProviderException;
import com.adsconnect.account.provider.ProviderException.Kind;
import com.adsconnect.account.provider.ProviderTokens;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Login with Amazon (authorization code grant) and the Ads API profile listing. Requests are
 * form-encoded as LWA expects; failures are mapped from LWA's {@code {error, error_description}}
 * and HTTP statuses. Every call has a connect timeout, a response timeout and an overall deadline,
 * and shares a bounded connection pool.
 */
@Component
class AmazonAdapter implements ProviderAdapter {

    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Set<String> GRANT_ERRORS = Set.of("invalid_grant", "invalid_request", "unsupported_grant_type",
            "invalid_scope", "access_denied");
    private static final Set<String> CLIENT_ERRORS = Set.of("invalid_client", "unauthorized_client");

    private final AmazonProperties amazon;
    private final WebClient webClient;
    private final JsonMapper json;
    private final Duration deadline;

    AmazonAdapter(AmazonProperties amazon, WebClient.Builder webClientBuilder, JsonMapper json) {
        this.amazon = amazon;
        this.json = json;
        this.deadline = amazon.connectTimeout().plus(amazon.responseTimeout()).plusSeconds(1);
        ConnectionProvider pool = ConnectionProvider.builder("amazon")
                .maxConnections(amazon.maxConnections())
                .pendingAcquireMaxCount(amazon.maxConnections() * 4)
                .pendingAcquireTimeout(amazon.connectTimeout())
                .maxIdleTime(Duration.ofSeconds(30))
                .maxLifeTime(Duration.ofMinutes(5))
                .build();
        HttpClient httpClient = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) amazon.connectTimeout().toMillis())
                .responseTimeout(amazon.responseTimeout());
        this.webClient = webClientBuilder.clone()
                .clientConnector(new ReactorClientHttpConnector(httpClient))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(MAX_BODY_BYTES))
                .build();
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
    public String clientId() {
        return amazon.clientId();
    }

    @Override
    public URI apiBaseUrl(String region) {
        return endpoints(region).apiBaseUrl();
    }

    @Override
    public URI authorizationUrl(String region, String state, String codeChallenge) {
        UriComponentsBuilder url = UriComponentsBuilder.fromUri(endpoints(region).authorizationUrl())
                .queryParam("client_id", amazon.clientId())
                .queryParam("scope", amazon.scope())
                .queryParam("response_type", "code")
                .queryParam("redirect_uri", amazon.redirectUri().toString())
                .queryParam("state", state);
        if (codeChallenge != null) {
            url.queryParam("code_challenge", codeChallenge).queryParam("code_challenge_method", "S256");
        }
        return url.encode().build().toUri();
    }

    @Override
    public Mono<ProviderTokens> exchangeCode(String region, String code, String codeVerifier) {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("grant_type", "authorization_code");
        form.add("code", code);
        form.add("redirect_uri", amazon.redirectUri().toString());
        form.add("client_id", amazon.clientId());
        form.add("client_secret", amazon.clientSecret());
        if (codeVerifier != null) {
            form.add("code_verifier", codeVerifier);
        }
        return webClient.post().uri(endpoints(region).tokenUrl())
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .accept(MediaType.APPLICATION_JSON)
                .body(BodyInserters.fromFormData(form))
                .exchangeToMono(response -> readBody(response).map(body -> toTokens(response.statusCode(), response, body)))
                .timeout(deadline)
                .onErrorMap(this::asProviderException);
    }

    @Override
    public Mono<List<AdvertisingProfile>> listProfiles(String region, String accessToken) {
        URI profiles = UriComponentsBuilder.fromUri(endpoints(region).apiBaseUrl()).path("/v2/profiles").build().toUri();
        return webClient.get().uri(profiles)
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + accessToken)
                .header("Amazon-Advertising-API-ClientId", amazon.clientId())
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> readBody(response).map(body -> toProfiles(response.statusCode(), response, body)))
                .timeout(deadline)
                .onErrorMap(this::asProviderException);
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

    private static Mono<String> readBody(ClientResponse response) {
        return response.bodyToMono(String.class).defaultIfEmpty("");
    }

    private ProviderTokens toTokens(HttpStatusCode status, ClientResponse response, String body) {
        if (!status.is2xxSuccessful()) {
            throw failure(status, response, body);
        }
        JsonNode node = parse(body);
        String access = text(node, "access_token");
        String refresh = text(node, "refresh_token");
        if (access == null || refresh == null || !node.path("expires_in").isNumber()
                || !"bearer".equalsIgnoreCase(text(node, "token_type"))) {
            throw new ProviderException(Kind.UNAVAILABLE, null, null, "Amazon's token response is incomplete");
        }
        long expiresIn = node.get("expires_in").asLong();
        if (expiresIn <= 0 || expiresIn > 86_400) {
            throw new ProviderException(Kind.UNAVAILABLE, null, null, "Amazon's token lifetime is implausible");
        }
        return new ProviderTokens(access, refresh, Duration.ofSeconds(expiresIn));
    }

    private List<AdvertisingProfile> toProfiles(HttpStatusCode status, ClientResponse response, String body) {
        if (!status.is2xxSuccessful()) {
            throw failure(status, response, body);
        }
        JsonNode node = parse(body);
        if (!node.isArray()) {
            throw new ProviderException(Kind.UNAVAILABLE, null, null, "Amazon's profile list is not a JSON array");
        }
        List<AdvertisingProfile> profiles = new ArrayList<>();
        for (JsonNode profile : node) {
            JsonNode id = profile.get("profileId");
            if (id == null || !(id.isIntegralNumber() || id.isString())) {
                throw new ProviderException(Kind.UNAVAILABLE, null, null, "an Amazon profile has no profileId");
            }
            JsonNode account = profile.path("accountInfo");
            profiles.add(new AdvertisingProfile(
                    id.isString() ? id.asString() : String.valueOf(id.asLong()),
                    text(profile, "countryCode"),
                    text(profile, "currencyCode"),
                    text(profile, "timezone"),
                    text(account, "marketplaceStringId"),
                    text(account, "id"),
                    text(account, "type"),
                    text(account, "name")));
        }
        return profiles;
    }

    private ProviderException failure(HttpStatusCode status, ClientResponse response, String body) {
        if (status.value() == 429) {
            return new ProviderException(Kind.RATE_LIMITED, null, retryAfter(response), "Amazon is throttling requests");
        }
        if (status.is5xxServerError()) {
            return new ProviderException(Kind.UNAVAILABLE, null, retryAfter(response), "Amazon answered " + status.value());
        }
        String error = null;
        try {
            error = text(json.readTree(body), "error");
        } catch (JacksonException notJson) {
            // keep error null: the status decides
        }
        if (error != null && CLIENT_ERRORS.contains(error)) {
            return new ProviderException(Kind.CLIENT_REJECTED, error, null, "Amazon refused our client credentials");
        }
        if (error != null && GRANT_ERRORS.contains(error)) {
            return new ProviderException(Kind.GRANT_REJECTED, error, null, "Amazon refused the grant");
        }
        if (status.value() == 401 || status.value() == 403) {
            return new ProviderException(Kind.GRANT_REJECTED, error, null, "Amazon refused the access token");
        }
        return new ProviderException(Kind.UNAVAILABLE, error, null, "Amazon answered " + status.value());
    }

    private static Duration retryAfter(ClientResponse response) {
        String value = response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER);
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.clamp(Long.parseLong(value.trim()), 0, 3600));
        } catch (NumberFormatException httpDate) {
            return null;
        }
    }

    private JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            throw new ProviderException(Kind.UNAVAILABLE, null, null, "Amazon's answer is not JSON");
        }
    }

    private Throwable asProviderException(Throwable error) {
        if (error instanceof ProviderException) {
            return error;
        }
        if (error instanceof TimeoutException || error instanceof WebClientRequestException
                || error.getCause() instanceof TimeoutException) {
            return new ProviderException(Kind.UNAVAILABLE, null, null, "Amazon did not answer in time");
        }
        return new ProviderException(Kind.UNAVAILABLE, null, null, "Amazon call failed: " + error.getClass().getSimpleName());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }
}
