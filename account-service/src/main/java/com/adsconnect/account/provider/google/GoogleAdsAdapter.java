package com.adsconnect.account.provider.google;

import com.adsconnect.account.provider.AdvertisingProfile;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.provider.ProviderAdapter;
import com.adsconnect.account.provider.ProviderException;
import com.adsconnect.account.provider.ProviderHttp;
import com.adsconnect.account.provider.ProviderTokens;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Google OAuth 2.0 for web server apps and the Google Ads API (REST, proto3 JSON: int64 ids are strings). The consent asks for offline access
 * with {@code prompt=consent}, so Google issues a refresh token every time (also when the user
 * consented before). Accounts: {@code customers:listAccessibleCustomers} names the customers the
 * user can reach directly; one {@code googleAds:search} per customer (a few at a time) reads its
 * name, currency, time zone and whether it is a manager. Disconnect revokes the grant at Google.
 * Google has no regions: every connection is {@code GLOBAL}.
 */
@Component
@ConditionalOnProperty(prefix = "google", name = "client-id")
class GoogleAdsAdapter implements ProviderAdapter {

    private static final int CUSTOMER_DETAILS_CONCURRENCY = 4;
    private static final int MAX_CUSTOMERS = 200;
    private static final String CUSTOMER_QUERY =
            "SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone, customer.manager FROM customer";

    private final GoogleAdsProperties google;
    private final ProviderHttp http;
    private final ProviderHttp.OAuthClient client;

    GoogleAdsAdapter(GoogleAdsProperties google, WebClient.Builder webClientBuilder, JsonMapper json) {
        this.google = google;
        this.client = new ProviderHttp.OAuthClient(google.clientId(), google.clientSecret(), google.redirectUri());
        this.http = new ProviderHttp(Provider.GOOGLE, new ProviderHttp.Settings(google.connectTimeout(), google.responseTimeout(),
                google.maxConnections()), webClientBuilder, json);
    }

    @Override
    public Provider provider() {
        return Provider.GOOGLE;
    }

    @Override
    public boolean usesPkce() {
        return google.pkce();
    }

    @Override
    public Set<String> requiredScopes() {
        return ProviderHttp.scopes(google.scope());
    }

    @Override
    public String clientId() {
        return google.clientId();
    }

    @Override
    public URI apiBaseUrl(String region) {
        return google.apiBaseUrl();
    }

    /** Offline access with {@code prompt=consent}: Google issues a refresh token only then, also to a user who consented before. */
    @Override
    public URI authorizationUrl(String region, String state, String codeChallenge) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("client_id", google.clientId());
        parameters.put("redirect_uri", google.redirectUri().toString());
        parameters.put("response_type", "code");
        parameters.put("scope", google.scope());
        parameters.put("access_type", "offline");
        parameters.put("prompt", "consent");
        parameters.put("include_granted_scopes", "true");
        parameters.put("state", state);
        return ProviderHttp.authorizationUrl(google.authorizationUrl(), parameters, codeChallenge);
    }

    @Override
    public Mono<ProviderTokens> exchangeCode(String region, String code, String codeVerifier) {
        return http.exchangeCode(google.tokenUrl(), client, code, codeVerifier, Map.of());
    }

    @Override
    public Mono<List<AdvertisingProfile>> listProfiles(String region, String accessToken) {
        URI accessible = apiUrl("/customers:listAccessibleCustomers");
        return http.call(http.webClient().get().uri(accessible)
                                .headers(headers -> authorize(headers, accessToken))
                                .accept(MediaType.APPLICATION_JSON),
                        this::toCustomerIds)
                .flatMapMany(Flux::fromIterable)
                .flatMapSequential(customerId -> customer(accessToken, customerId), CUSTOMER_DETAILS_CONCURRENCY)
                .collectList();
    }

    @Override
    public boolean revokes() {
        return true;
    }

    /** Google's revocation endpoint: {@code token=} form-encoded; a token already dead counts as revoked. */
    @Override
    public Mono<Void> revoke(String region, String refreshToken) {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("token", refreshToken);
        return http.call(http.webClient().post().uri(google.revocationUrl())
                        .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                        .body(BodyInserters.fromFormData(form)),
                answer -> {
                    if (answer.status().is2xxSuccessful()) {
                        return true;
                    }
                    ProviderException failure = http.oauthFailure(answer);
                    // invalid_token: expired or revoked already, which is what we wanted
                    if (answer.status().value() == 400 && answer.body().contains("invalid_token")) {
                        return true;
                    }
                    throw failure;
                })
                .then();
    }

    /**
     * The headers a caller needs besides the token: {@code login-customer-id}, the manager the
     * customer is reached through, where it is not its own.
     */
    @Override
    public Map<String, String> callContext(AdvertisingProfile profile) {
        Map<String, String> context = new LinkedHashMap<>();
        context.put("login-customer-id", profile.parentAccountId() != null ? profile.parentAccountId() : profile.accountId());
        return context;
    }

    @Override
    public boolean hasCallContext() {
        return true;
    }

    private List<String> toCustomerIds(ProviderHttp.Answer answer) {
        if (answer.status().value() == 401 && answer.body().contains("\"NOT_ADS_USER\"")) {
            // a Google account without any Google Ads account: nothing to connect (answered as such, not as a refused grant)
            return List.of();
        }
        if (!answer.status().is2xxSuccessful()) {
            throw apiFailure(answer);
        }
        JsonNode names = http.parse(answer.body()).path("resourceNames");
        List<String> ids = new ArrayList<>();
        if (names.isMissingNode()) {
            // no accessible customer: Google leaves the field out
            return ids;
        }
        if (!names.isArray()) {
            throw http.unavailable("Google's accessible customers are not a list");
        }
        for (JsonNode name : names) {
            String resource = name.isString() ? name.asString() : "";
            if (!resource.matches("customers/[0-9]{1,20}")) {
                throw http.unavailable("Google named an accessible customer in an unknown form");
            }
            ids.add(resource.substring("customers/".length()));
            if (ids.size() > MAX_CUSTOMERS) {
                throw http.unavailable("this Google sign-in reaches more than " + MAX_CUSTOMERS + " customers directly");
            }
        }
        return ids;
    }

    private Mono<AdvertisingProfile> customer(String accessToken, String customerId) {
        return http.call(http.webClient().post().uri(apiUrl("/customers/" + customerId + "/googleAds:search"))
                        .headers(headers -> authorize(headers, accessToken))
                        .header("login-customer-id", customerId)
                        .contentType(MediaType.APPLICATION_JSON)
                        .accept(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("query", CUSTOMER_QUERY)),
                        answer -> toCustomer(answer, customerId))
                // a customer listed but closed, or not enabled for this user: not an account to connect
                .onErrorResume(ProviderException.class, error -> "PERMISSION_DENIED".equals(error.providerError())
                        ? Mono.empty() : Mono.error(error));
    }

    private AdvertisingProfile toCustomer(ProviderHttp.Answer answer, String customerId) {
        if (!answer.status().is2xxSuccessful()) {
            throw apiFailure(answer);
        }
        JsonNode customer = http.parse(answer.body()).path("results").path(0).path("customer");
        String id = ProviderHttp.id(customer, "id");
        if (id == null || !id.equals(customerId)) {
            throw http.unavailable("Google's customer answer does not name the customer asked for");
        }
        boolean manager = customer.path("manager").asBoolean(false);
        return new AdvertisingProfile(id, null, ProviderHttp.text(customer, "currencyCode"), ProviderHttp.text(customer, "timeZone"),
                null, id, manager ? "MANAGER" : "CLIENT", ProviderHttp.text(customer, "descriptiveName"), null);
    }

    /**
     * The Google Ads API's error: {@code {"error": {"code", "message", "status", "details"}}}; the
     * gRPC status ({@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}, ...) is the error code kept.
     * 401 and 403 mean the grant does not hold (as for every provider).
     */
    private ProviderException apiFailure(ProviderHttp.Answer answer) {
        String status = null;
        try {
            status = ProviderHttp.text(http.parse(answer.body()).path("error"), "status");
        } catch (ProviderException notJson) {
            // the HTTP status decides
        }
        return http.apiFailure(answer, status != null && status.matches("[A-Z_]{1,64}") ? status : null);
    }

    private void authorize(HttpHeaders headers, String accessToken) {
        headers.setBearerAuth(accessToken);
        if (google.developerToken() != null && !google.developerToken().isBlank()) {
            headers.set("developer-token", google.developerToken());
        }
    }

    private URI apiUrl(String path) {
        return UriComponentsBuilder.fromUri(google.apiBaseUrl()).path("/" + google.apiVersion() + path).build().toUri();
    }
}
