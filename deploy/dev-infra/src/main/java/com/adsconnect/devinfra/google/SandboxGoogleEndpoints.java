package com.adsconnect.devinfra.google;

import com.adsconnect.devinfra.oauth.SandboxAuthorizationServer;
import com.adsconnect.devinfra.oauth.SandboxEndpoints;
import com.adsconnect.devinfra.oauth.SandboxFaults;
import com.adsconnect.devinfra.oauth.SandboxGrants;
import com.adsconnect.devinfra.stub.StubResponses;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers the Google sandbox's calls in Google's wire formats: OAuth errors as
 * {@code {"error", "error_description"}}, Google Ads API errors as {@code google.rpc.Status}
 * ({@code {"error": {"code", "message", "status", "details": [GoogleAdsFailure]}}}), int64 ids as
 * JSON strings (proto3 JSON).
 */
final class SandboxGoogleEndpoints extends SandboxEndpoints {

    static final String NAME = "sandbox-google";
    private static final Pattern API = Pattern.compile("/(v[0-9]{1,3})/customers(?::listAccessibleCustomers|/([0-9]{10})/googleAds:search)");
    private static final String SCOPE = "https://www.googleapis.com/auth/adwords";

    private final SandboxGoogleState state;
    private final SandboxAuthorizationServer<SandboxGoogleAccount> server;

    SandboxGoogleEndpoints(SandboxGoogleState state) {
        super(NAME, state.faults, state.grants);
        this.state = state;
        this.server = new SandboxAuthorizationServer<>(state.clientId, state.clientSecret, state.grants,
                SandboxGoogleEndpoints::oauthError);
    }

    @Override
    protected ResponseDefinition answer(String method, URI url, LoggedRequest request) {
        String path = url.getPath();
        if ("GET".equals(method) && "/o/oauth2/v2/auth".equals(path)) {
            return consent(StubResponses.formDecode(url.getRawQuery()));
        }
        if ("POST".equals(method) && "/token".equals(path)) {
            return state.faults.answer(SandboxGoogle.Endpoint.TOKEN, OAUTH_DIALECT, () -> server.token(SandboxGoogleState.REALM, request,
                    (tokens, scope) -> SandboxAuthorizationServer.tokenAnswer("access_token", tokens.accessToken(),
                            "expires_in", state.grants.accessTokenLifetime().toSeconds(), "refresh_token", tokens.refreshToken(),
                            "refresh_token_expires_in", refreshTokenExpiresIn(), "scope", scope, "token_type", "Bearer")));
        }
        if ("POST".equals(method) && "/revoke".equals(path)) {
            return state.faults.answer(SandboxGoogle.Endpoint.REVOKE, OAUTH_DIALECT, () -> revoke(url, request));
        }
        Matcher api = API.matcher(path);
        if (api.matches()) {
            return state.faults.answer(SandboxGoogle.Endpoint.ADS_API, API_DIALECT, () -> adsApi(method, api.group(1), api.group(2), request));
        }
        return StubResponses.json(404, Map.of("error", Map.of("code", 404, "message", "Not found", "status", "NOT_FOUND")));
    }

    /** Seconds until time-based access ends (Google sends this only for such grants), or null. */
    private Long refreshTokenExpiresIn() {
        java.time.Instant until = state.accessUntil;
        return until == null ? null : Math.max(1, java.time.Duration.between(java.time.Instant.now(), until).toSeconds());
    }

    private ResponseDefinition consent(Map<String, String> query) {
        if (!"offline".equals(query.get("access_type"))) {
            // Google issues a refresh token only for offline access; the sandbox insists on it being asked for
            return SandboxAuthorizationServer.text(400, "the sandbox expects access_type=offline");
        }
        return server.consent(SandboxGoogleState.REALM, query, state.consent.account(SandboxGoogleState.REALM), state.consent.scope(), true);
    }

    /** {@code token=} in the query or the form body; 200 for a live token, 400 {@code invalid_token} for anything else. */
    private ResponseDefinition revoke(URI url, LoggedRequest request) {
        String token = StubResponses.formDecode(url.getRawQuery()).get("token");
        if (token == null) {
            token = StubResponses.formDecode(request.getBodyAsString()).get("token");
        }
        if (!state.grants.revoke(token)) {
            return oauthError(400, "invalid_token", "Token expired or revoked");
        }
        state.revocations.incrementAndGet();
        return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "application/json").withBody("{}").build();
    }

    private ResponseDefinition adsApi(String method, String version, String customerId, LoggedRequest request) {
        SandboxGrants.AccessToken<SandboxGoogleAccount> access = server.bearer(request);
        if (access == null) {
            return adsError(401, "UNAUTHENTICATED", version, "authenticationError", "OAUTH_TOKEN_INVALID",
                    "Request had invalid authentication credentials.");
        }
        if (access.scope() == null || !List.of(access.scope().split(" ")).contains(SCOPE)) {
            return adsError(403, "PERMISSION_DENIED", version, "authorizationError", "USER_PERMISSION_DENIED",
                    "Request had insufficient authentication scopes.");
        }
        SandboxGoogleAccount account = access.account();
        if (customerId == null) {
            if (!"GET".equals(method)) {
                return adsError(404, "NOT_FOUND", version, "requestError", "UNKNOWN", "Use GET.");
            }
            if (account.customers().isEmpty()) {
                return adsError(401, "UNAUTHENTICATED", version, "authenticationError", "NOT_ADS_USER",
                        "The Google account is not associated with any Ads accounts.");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("resourceNames", account.customers().stream().map(c -> "customers/" + c.id()).toList());
            return json(body);
        }
        return search(version, customerId, account, request);
    }

    private ResponseDefinition search(String version, String customerId, SandboxGoogleAccount account, LoggedRequest request) {
        SandboxGoogleAccount.Customer customer = account.customers().stream().filter(c -> c.id().equals(customerId)).findFirst().orElse(null);
        if (customer == null) {
            return adsError(403, "PERMISSION_DENIED", version, "authorizationError", "USER_PERMISSION_DENIED",
                    "User doesn't have permission to access customer.");
        }
        String loginCustomerId = request.getHeader("login-customer-id");
        if (loginCustomerId != null && !loginCustomerId.matches("[0-9]{10}")) {
            return adsError(400, "INVALID_ARGUMENT", version, "headerError", "INVALID_LOGIN_CUSTOMER_ID",
                    "The login customer ID header is invalid.");
        }
        try {
            Object query = JSONObjectUtils.parse(request.getBodyAsString()).get("query");
            if (!(query instanceof String text) || !text.toUpperCase().contains("FROM CUSTOMER")) {
                return adsError(400, "INVALID_ARGUMENT", version, "queryError", "UNEXPECTED_END_OF_QUERY",
                        "The sandbox answers SELECT customer.* FROM customer only.");
            }
        } catch (ParseException e) {
            return adsError(400, "INVALID_ARGUMENT", version, "requestError", "INVALID_INPUT", "Invalid JSON payload received.");
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("resourceName", "customers/" + customer.id());
        row.put("id", customer.id());
        row.put("descriptiveName", customer.descriptiveName());
        row.put("currencyCode", customer.currencyCode());
        row.put("timeZone", customer.timeZone());
        row.put("manager", customer.manager());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("results", List.of(Map.of("customer", row)));
        body.put("fieldMask", "customer.id,customer.descriptiveName,customer.currencyCode,customer.timeZone,customer.manager");
        return json(body);
    }

    private static final SandboxFaults.Dialect OAUTH_DIALECT = new SandboxFaults.Dialect() {
        @Override
        public ResponseDefinition rateLimited(Duration retryAfter) {
            return ResponseDefinitionBuilder.like(SandboxGoogleEndpoints.oauthError(429, "rate_limit_exceeded", "Rate limit exceeded"))
                    .withHeader("Retry-After", String.valueOf(retryAfter.toSeconds())).build();
        }

        @Override
        public ResponseDefinition serverError(int status) {
            return SandboxGoogleEndpoints.oauthError(status, "internal_failure", "Backend Error");
        }

        @Override
        public ResponseDefinition oauthError(int status, String error) {
            return SandboxGoogleEndpoints.oauthError(status, error, "invalid_grant".equals(error) ? "Token has been expired or revoked." : "Bad Request");
        }
    };

    private static final SandboxFaults.Dialect API_DIALECT = new SandboxFaults.Dialect() {
        @Override
        public ResponseDefinition rateLimited(Duration retryAfter) {
            return ResponseDefinitionBuilder.like(adsError(429, "RESOURCE_EXHAUSTED", "v26", "quotaError", "RESOURCE_EXHAUSTED",
                    "Too many requests.")).withHeader("Retry-After", String.valueOf(retryAfter.toSeconds())).build();
        }

        @Override
        public ResponseDefinition serverError(int status) {
            return adsError(status, status == 503 ? "UNAVAILABLE" : "INTERNAL", "v26", "internalError", "INTERNAL_ERROR",
                    "An internal error has occurred.");
        }

        @Override
        public ResponseDefinition oauthError(int status, String error) {
            return adsError(401, "UNAUTHENTICATED", "v26", "authenticationError", "OAUTH_TOKEN_REVOKED", "The OAuth token was revoked.");
        }
    };

    static ResponseDefinition oauthError(int status, String error, String description) {
        return StubResponses.json(status, Map.of("error", error, "error_description", description));
    }

    private static ResponseDefinition adsError(int code, String status, String version, String errorKind, String errorValue, String message) {
        Map<String, Object> failure = new LinkedHashMap<>();
        failure.put("@type", "type.googleapis.com/google.ads.googleads." + version + ".errors.GoogleAdsFailure");
        failure.put("errors", List.of(Map.of("errorCode", Map.of(errorKind, errorValue), "message", message)));
        failure.put("requestId", "sandbox-request");
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("status", status);
        error.put("details", List.of(failure));
        return StubResponses.json(code, Map.of("error", error));
    }

    private static ResponseDefinition json(Map<String, Object> body) {
        return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "application/json; charset=UTF-8")
                .withBody(JSONObjectUtils.toJSONString(body)).build();
    }
}
