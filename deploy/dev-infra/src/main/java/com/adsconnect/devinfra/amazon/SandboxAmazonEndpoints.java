package com.adsconnect.devinfra.amazon;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.adsconnect.devinfra.oauth.SandboxAuthorizationServer;
import com.adsconnect.devinfra.oauth.SandboxEndpoints;
import com.adsconnect.devinfra.oauth.SandboxFaults;
import com.adsconnect.devinfra.oauth.SandboxGrants;
import com.adsconnect.devinfra.stub.StubResponses;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Answers the sandbox's Login with Amazon and Ads API calls. One server serves the three regions. */
final class SandboxAmazonEndpoints extends SandboxEndpoints {

    static final String NAME = "sandbox-amazon";

    private final SandboxAmazonState state;
    private final SandboxAuthorizationServer<SandboxAmazonAccount> server;

    SandboxAmazonEndpoints(SandboxAmazonState state) {
        super(NAME, state.faults, state.grants);
        this.state = state;
        this.server = new SandboxAuthorizationServer<>(state.clientId, state.clientSecret, state.grants,
                SandboxAmazonEndpoints::lwaError);
    }

    @Override
    protected ResponseDefinition answer(String method, URI url, LoggedRequest request) {
        String[] parts = url.getPath().split("/", 3);
        if (parts.length < 3) {
            return StubResponses.json(404, Map.of("error", "not_found"));
        }
        String region = parts[1].toUpperCase(Locale.ROOT);
        String rest = "/" + parts[2];
        if ("GET".equals(method) && "/ap/oa".equals(rest)) {
            return server.consent(region, StubResponses.formDecode(url.getRawQuery()), state.consent.account(region), null, true);
        }
        if ("POST".equals(method) && "/auth/o2/token".equals(rest)) {
            return state.faults.answer(SandboxAmazon.Endpoint.TOKEN, DIALECT, () -> token(region, request));
        }
        if ("GET".equals(method) && "/v2/profiles".equals(rest)) {
            return state.faults.answer(SandboxAmazon.Endpoint.PROFILES, DIALECT, () -> profiles(region, request));
        }
        return StubResponses.json(404, Map.of("error", "not_found"));
    }

    /** LWA's and the Ads API's ways of failing. */
    private static final SandboxFaults.Dialect DIALECT = new SandboxFaults.Dialect() {
        @Override
        public ResponseDefinition rateLimited(Duration retryAfter) {
            return new ResponseDefinitionBuilder().withStatus(429)
                    .withHeader("Retry-After", String.valueOf(retryAfter.toSeconds()))
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"code\":\"429\",\"details\":\"Too Many Requests\"}").build();
        }

        @Override
        public ResponseDefinition serverError(int status) {
            return StubResponses.json(status, Map.of("error", "server_error", "error_description", "The service is temporarily unavailable"));
        }

        @Override
        public ResponseDefinition oauthError(int status, String error) {
            return lwaError(status, error, "invalid_grant".equals(error) ? "The grant is invalid or revoked" : "Sandbox fault");
        }
    };

    private ResponseDefinition token(String region, LoggedRequest request) {
        return server.token(region, request, (tokens, scope) -> SandboxAuthorizationServer.tokenAnswer(
                "access_token", tokens.accessToken(), "refresh_token", tokens.refreshToken(), "token_type", "bearer",
                "expires_in", state.grants.accessTokenLifetime().toSeconds()));
    }

    private ResponseDefinition profiles(String region, LoggedRequest request) {
        if (!state.clientId.equals(request.getHeader("Amazon-Advertising-API-ClientId"))) {
            return StubResponses.json(400, Map.of("code", "400", "details", "Amazon-Advertising-API-ClientId is missing or unknown"));
        }
        SandboxGrants.AccessToken<SandboxAmazonAccount> access = server.bearer(request);
        if (access == null || !access.realm().equals(region)) {
            return StubResponses.json(401, Map.of("code", "UNAUTHORIZED", "details", "Not authorized to access this advertiser"));
        }
        SandboxAmazonAccount account = access.account();
        List<Map<String, Object>> profiles = new ArrayList<>();
        for (SandboxAmazonAccount.Profile profile : account.profiles()) {
            Map<String, Object> accountInfo = new LinkedHashMap<>();
            accountInfo.put("marketplaceStringId", profile.marketplaceId());
            accountInfo.put("id", account.accountId());
            accountInfo.put("type", account.type());
            accountInfo.put("name", account.name());
            accountInfo.put("validPaymentMethod", true);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("profileId", profile.profileId());
            entry.put("countryCode", profile.countryCode());
            entry.put("currencyCode", profile.currencyCode());
            entry.put("dailyBudget", 999999999.0);
            entry.put("timezone", profile.timezone());
            entry.put("accountInfo", accountInfo);
            profiles.add(entry);
        }
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < profiles.size(); i++) {
            body.append(i == 0 ? "" : ",").append(JSONObjectUtils.toJSONString(profiles.get(i)));
        }
        body.append(']');
        return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(body.toString()).build();
    }

    private static ResponseDefinition lwaError(int status, String error, String description) {
        return StubResponses.json(status, Map.of("error", error, "error_description", description));
    }
}
