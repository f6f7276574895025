package com.adsconnect.account.provider.microsoft;

import com.adsconnect.account.provider.AdvertisingProfile;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.provider.ProviderAdapter;
import com.adsconnect.account.provider.ProviderException;
import com.adsconnect.account.provider.ProviderException.Kind;
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
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Microsoft identity platform's authorization code flow (v2.0 endpoints) and the Microsoft
 * Advertising REST API's Customer Management service: {@code User/Query} (GetUser) finds the
 * signed-in user, {@code Accounts/Search} (SearchAccounts) their ad accounts. Refresh tokens rotate
 * on every refresh (the refresher stores each new one). Microsoft offers no revocation of a single
 * grant; users remove the app at their account's "apps and services" page. No regions: every
 * connection is {@code GLOBAL}.
 */
@Component
@ConditionalOnProperty(prefix = "microsoft", name = "client-id")
class MicrosoftAdsAdapter implements ProviderAdapter {

    private static final int PAGE_SIZE = 1000;
    /** Customer Management error codes that mean the access token is not (or no longer) good. */
    private static final Set<Integer> TOKEN_ERROR_CODES = Set.of(105, 106, 109);

    private final MicrosoftAdsProperties microsoft;
    private final ProviderHttp http;
    private final ProviderHttp.OAuthClient client;

    MicrosoftAdsAdapter(MicrosoftAdsProperties microsoft, WebClient.Builder webClientBuilder, JsonMapper json) {
        this.microsoft = microsoft;
        this.client = new ProviderHttp.OAuthClient(microsoft.clientId(), microsoft.clientSecret(), microsoft.redirectUri());
        this.http = new ProviderHttp(Provider.MICROSOFT, new ProviderHttp.Settings(microsoft.connectTimeout(),
                microsoft.responseTimeout(), microsoft.maxConnections()), webClientBuilder, json);
    }

    @Override
    public Provider provider() {
        return Provider.MICROSOFT;
    }

    @Override
    public boolean usesPkce() {
        return microsoft.pkce();
    }

    @Override
    public Set<String> requiredScopes() {
        return ProviderHttp.scopes(microsoft.requiredScope());
    }

    @Override
    public String clientId() {
        return microsoft.clientId();
    }

    @Override
    public URI apiBaseUrl(String region) {
        return microsoft.customerManagementUrl();
    }

    @Override
    public URI authorizationUrl(String region, String state, String codeChallenge) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("client_id", microsoft.clientId());
        parameters.put("response_type", "code");
        parameters.put("redirect_uri", microsoft.redirectUri().toString());
        parameters.put("response_mode", "query");
        parameters.put("scope", microsoft.scope());
        parameters.put("state", state);
        return ProviderHttp.authorizationUrl(microsoft.authorizationUrl(), parameters, codeChallenge);
    }

    /** The identity platform wants the scopes again with the code. */
    @Override
    public Mono<ProviderTokens> exchangeCode(String region, String code, String codeVerifier) {
        return http.exchangeCode(microsoft.tokenUrl(), client, code, codeVerifier, Map.of("scope", microsoft.scope()));
    }

    @Override
    public Mono<List<AdvertisingProfile>> listProfiles(String region, String accessToken) {
        // no UserId: the signed-in user
        return post(accessToken, "/User/Query", Map.of(), this::toUserId)
                .flatMap(userId -> {
                    Map<String, Object> search = new LinkedHashMap<>();
                    search.put("Predicates", List.of(Map.of("Field", "UserId", "Operator", "Equals", "Value", userId)));
                    search.put("Ordering", null);
                    search.put("PageInfo", Map.of("Index", 0, "Size", PAGE_SIZE));
                    return post(accessToken, "/Accounts/Search", search, this::toAccounts);
                });
    }

    @Override
    public Map<String, String> callContext(AdvertisingProfile profile) {
        Map<String, String> context = new LinkedHashMap<>();
        if (profile.parentAccountId() != null) {
            context.put("CustomerId", profile.parentAccountId());
        }
        context.put("CustomerAccountId", profile.accountId());
        return context;
    }

    @Override
    public boolean hasCallContext() {
        return true;
    }

    private <T> Mono<T> post(String accessToken, String operation, Map<String, Object> body,
            java.util.function.Function<JsonNode, T> reader) {
        URI url = URI.create(microsoft.customerManagementUrl() + operation);
        return http.call(http.webClient().post().uri(url)
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + accessToken)
                        .header("DeveloperToken", microsoft.developerToken())
                        .contentType(MediaType.APPLICATION_JSON)
                        .accept(MediaType.APPLICATION_JSON)
                        .bodyValue(body),
                answer -> {
                    if (!answer.status().is2xxSuccessful()) {
                        throw apiFailure(answer);
                    }
                    return reader.apply(http.parse(answer.body()));
                });
    }

    private String toUserId(JsonNode answer) {
        String id = ProviderHttp.id(answer.path("User"), "Id");
        if (id == null || !id.matches("[0-9]{1,20}")) {
            throw http.unavailable("Microsoft's GetUser answer has no user id");
        }
        return id;
    }

    private List<AdvertisingProfile> toAccounts(JsonNode answer) {
        JsonNode accounts = answer.path("Accounts");
        List<AdvertisingProfile> profiles = new ArrayList<>();
        if (accounts.isNull() || accounts.isMissingNode()) {
            return profiles;
        }
        if (!accounts.isArray()) {
            throw http.unavailable("Microsoft's accounts are not a list");
        }
        for (JsonNode account : accounts) {
            String id = ProviderHttp.id(account, "Id");
            if (id == null) {
                throw http.unavailable("a Microsoft Advertising account has no Id");
            }
            profiles.add(new AdvertisingProfile(id, null, ProviderHttp.text(account, "CurrencyCode"),
                    ProviderHttp.text(account, "TimeZone"), null, id, ProviderHttp.text(account, "AccountLifeCycleStatus"),
                    ProviderHttp.text(account, "Name"), ProviderHttp.id(account, "ParentCustomerId")));
        }
        return profiles;
    }

    /**
     * Customer Management's fault, told apart by {@code Type}: {@code AdApiFaultDetail} with
     * {@code Errors: [{Code, Detail, ErrorCode, Message}]}, or {@code ApiFault} with
     * {@code OperationErrors: [{Code, Details, Message}]} (a numeric code only). Codes that say the
     * access token is not good (105 InvalidCredentials, 106 UserIsNotAuthorized, 109
     * AuthenticationTokenExpired) mean the grant does not hold, whatever the status; 117
     * CallRateExceeded is throttling (with the 429's Retry-After, or Microsoft's 60 s).
     */
    private ProviderException apiFailure(ProviderHttp.Answer answer) {
        String errorCode = null;
        int code = -1;
        try {
            JsonNode fault = http.parse(answer.body());
            JsonNode first = fault.path("Errors").path(0);
            if (first.isMissingNode()) {
                first = fault.path("OperationErrors").path(0);
            }
            String named = ProviderHttp.text(first, "ErrorCode");
            errorCode = named != null && named.matches("[A-Za-z]{1,64}") ? named : null;
            code = first.path("Code").asInt(-1);
        } catch (ProviderException notJson) {
            // the HTTP status decides
        }
        if (errorCode == null && code >= 0) {
            errorCode = String.valueOf(code);
        }
        if (TOKEN_ERROR_CODES.contains(code) && answer.status().is4xxClientError()) {
            return new ProviderException(Provider.MICROSOFT, Kind.GRANT_REJECTED, errorCode, null,
                    "Microsoft Advertising refused the access token");
        }
        if (code == 117 && answer.status().value() != 429) {
            // throttled without the status (and its Retry-After): Microsoft asks callers to wait 60 s
            return new ProviderException(Provider.MICROSOFT, Kind.RATE_LIMITED, errorCode, java.time.Duration.ofSeconds(60),
                    "Microsoft Advertising is throttling requests");
        }
        return http.apiFailure(answer, errorCode);
    }
}
