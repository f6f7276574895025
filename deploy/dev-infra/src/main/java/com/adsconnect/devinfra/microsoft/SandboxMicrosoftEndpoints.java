package com.adsconnect.devinfra.microsoft;

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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Answers the Microsoft sandbox's calls in Microsoft's wire formats: identity platform errors as
 * {@code {"error", "error_description": "AADSTS...", "error_codes", "timestamp", "trace_id",
 * "correlation_id"}}; Customer Management faults as {@code {"TrackingId", "Type":
 * "AdApiFaultDetail", "Errors": [{"Code", "Detail", "ErrorCode", "Message"}]}}; 64-bit ids as
 * JSON strings.
 */
final class SandboxMicrosoftEndpoints extends SandboxEndpoints {

    static final String NAME = "sandbox-microsoft";
    private static final Pattern IDENTITY = Pattern.compile("/([A-Za-z0-9.-]{1,64})/oauth2/v2\\.0/(authorize|token)");
    private static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "email", "offline_access");
    private static final String ADS_SCOPE = "https://ads.microsoft.com/msads.manage";
    private static final String ID_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJzdWIiOiJzYW5kYm94In0.";

    private final SandboxMicrosoftState state;
    private final SandboxAuthorizationServer<SandboxMicrosoftAccount> server;

    SandboxMicrosoftEndpoints(SandboxMicrosoftState state) {
        super(NAME, state.faults, state.grants);
        this.state = state;
        this.server = new SandboxAuthorizationServer<>(state.clientId, state.clientSecret, state.grants,
                SandboxMicrosoftEndpoints::identityError);
    }

    @Override
    protected ResponseDefinition answer(String method, URI url, LoggedRequest request) {
        String path = url.getPath();
        Matcher identity = IDENTITY.matcher(path);
        if (identity.matches()) {
            String tenant = identity.group(1);
            if ("GET".equals(method) && "authorize".equals(identity.group(2))) {
                return server.consent(tenant, StubResponses.formDecode(url.getRawQuery()),
                        state.consent.account(SandboxMicrosoftState.ANY_TENANT), state.consent.scope(), false);
            }
            if ("POST".equals(method) && "token".equals(identity.group(2))) {
                return state.faults.answer(SandboxMicrosoft.Endpoint.TOKEN, IDENTITY_DIALECT, () -> server.token(tenant, request,
                        (tokens, scope) -> SandboxAuthorizationServer.tokenAnswer("token_type", "Bearer", "scope", resourceScopes(scope),
                                "expires_in", state.grants.accessTokenLifetime().toSeconds(),
                                "ext_expires_in", state.grants.accessTokenLifetime().toSeconds(),
                                "access_token", tokens.accessToken(), "refresh_token", tokens.refreshToken(),
                                "id_token", scope != null && scope.contains("openid") ? ID_TOKEN : null)));
            }
        }
        if ("POST".equals(method) && path.startsWith("/CustomerManagement/v13/")) {
            String operation = path.substring("/CustomerManagement/v13".length());
            return state.faults.answer(SandboxMicrosoft.Endpoint.CUSTOMER_MANAGEMENT, API_DIALECT,
                    () -> customerManagement(operation, request));
        }
        return StubResponses.json(404, Map.of("error", "not_found"));
    }

    /** The scope an access token answer names: the resource's, never openid, profile or offline_access. */
    private static String resourceScopes(String requested) {
        if (requested == null) {
            return ADS_SCOPE;
        }
        return Arrays.stream(requested.split(" ")).filter(s -> !s.isBlank() && !OIDC_SCOPES.contains(s)).collect(Collectors.joining(" "));
    }

    private ResponseDefinition customerManagement(String operation, LoggedRequest request) {
        if (!state.developerToken.equals(request.getHeader("DeveloperToken"))) {
            return fault(400, 105, "InvalidCredentials", "Authentication failed. Either supplied credentials are invalid or the "
                    + "account is inactive.");
        }
        SandboxGrants.AccessToken<SandboxMicrosoftAccount> access = server.bearer(request);
        if (access == null) {
            return fault(401, 109, "AuthenticationTokenExpired", "Authentication token expired. Please renew it or obtain a new "
                    + "authentication token.");
        }
        if (access.scope() != null && !Arrays.asList(access.scope().split(" ")).contains(ADS_SCOPE)) {
            return fault(401, 105, "InvalidCredentials", "Authentication failed. The access token lacks the msads.manage scope.");
        }
        SandboxMicrosoftAccount user = access.account();
        Map<String, Object> body;
        try {
            body = JSONObjectUtils.parse(request.getBodyAsString().isBlank() ? "{}" : request.getBodyAsString());
        } catch (ParseException e) {
            return fault(400, 100, "InvalidRequest", "The request body is not JSON.");
        }
        return switch (operation) {
            case "/User/Query" -> getUser(user, body);
            case "/Accounts/Search" -> searchAccounts(user, body);
            default -> fault(404, 0, "InternalError", "Unknown operation.");
        };
    }

    private ResponseDefinition getUser(SandboxMicrosoftAccount user, Map<String, Object> body) {
        Object asked = body.get("UserId");
        if (asked != null && !user.userId().equals(String.valueOf(asked))) {
            return fault(400, 106, "UserIsNotAuthorized", "The user does not represent an authorized developer.");
        }
        Map<String, Object> found = new LinkedHashMap<>();
        found.put("Id", user.userId());
        found.put("CustomerId", user.customerId());
        found.put("UserName", user.userName());
        found.put("UserLifeCycleStatus", "Active");
        Map<String, Object> role = new LinkedHashMap<>();
        role.put("RoleId", 41);
        role.put("CustomerId", user.customerId());
        role.put("AccountIds", null);
        role.put("LinkedAccountIds", null);
        role.put("CustomerLinkPermission", null);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("User", found);
        answer.put("CustomerRoles", List.of(role));
        return json(answer);
    }

    @SuppressWarnings("unchecked")
    private ResponseDefinition searchAccounts(SandboxMicrosoftAccount user, Map<String, Object> body) {
        List<Object> predicates = body.get("Predicates") instanceof List<?> list ? (List<Object>) list : List.of();
        Map<String, Object> page = body.get("PageInfo") instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
        if (page == null || !(page.get("Size") instanceof Number asked) || asked.intValue() < 1 || asked.intValue() > 1000) {
            return fault(400, 4810, "InvalidPageInfoSize", "PageInfo.Size must be between 1 and 1000.");
        }
        boolean byUser = predicates.stream().anyMatch(p -> p instanceof Map<?, ?> predicate && "UserId".equals(predicate.get("Field"))
                && "Equals".equals(predicate.get("Operator")) && user.userId().equals(String.valueOf(predicate.get("Value"))));
        if (!byUser) {
            return fault(400, 4811, "InvalidPredicate", "The sandbox answers the UserId Equals predicate of the signed-in user only.");
        }
        int index = page.get("Index") instanceof Number n ? n.intValue() : 0;
        int size = ((Number) page.get("Size")).intValue();
        List<Map<String, Object>> accounts = user.accounts().stream().skip((long) index * size).limit(size).map(account -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Id", account.id());
            entry.put("Name", account.name());
            entry.put("Number", account.number());
            entry.put("ParentCustomerId", user.customerId());
            entry.put("CurrencyCode", account.currencyCode());
            entry.put("TimeZone", account.timeZone());
            entry.put("AccountLifeCycleStatus", account.lifeCycleStatus());
            entry.put("PrimaryUserId", user.userId());
            return entry;
        }).toList();
        return json(Map.of("Accounts", accounts));
    }

    private static final SandboxFaults.Dialect IDENTITY_DIALECT = new SandboxFaults.Dialect() {
        @Override
        public ResponseDefinition rateLimited(Duration retryAfter) {
            return ResponseDefinitionBuilder.like(identityError(429, "temporarily_unavailable", "AADSTS90055: Too many requests."))
                    .withHeader("Retry-After", String.valueOf(retryAfter.toSeconds())).build();
        }

        @Override
        public ResponseDefinition serverError(int status) {
            return identityError(status, "temporarily_unavailable", "AADSTS90033: A transient error has occurred. Please try again.");
        }

        @Override
        public ResponseDefinition oauthError(int status, String error) {
            return identityError(status, error, "invalid_grant".equals(error)
                    ? "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity."
                    : "AADSTS90000: Sandbox fault.");
        }
    };

    private static final SandboxFaults.Dialect API_DIALECT = new SandboxFaults.Dialect() {
        @Override
        public ResponseDefinition rateLimited(Duration retryAfter) {
            return ResponseDefinitionBuilder.like(fault(429, 117, "CallRateExceeded", "You have exceeded the number of calls."))
                    .withHeader("Retry-After", String.valueOf(retryAfter.toSeconds())).build();
        }

        @Override
        public ResponseDefinition serverError(int status) {
            return fault(status, 0, "InternalError", "An internal error has occurred.");
        }

        @Override
        public ResponseDefinition oauthError(int status, String error) {
            return fault(401, 105, "InvalidCredentials", "Authentication failed.");
        }
    };

    /** The identity platform's error body; the AADSTS number is also in {@code error_codes}. */
    static ResponseDefinition identityError(int status, String error, String description) {
        String timestamp = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Matcher aadsts = Pattern.compile("AADSTS([0-9]+)").matcher(description);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description + "\r\nTrace ID: sandbox\r\nCorrelation ID: sandbox\r\nTimestamp: " + timestamp);
        body.put("error_codes", aadsts.find() ? List.of(Integer.parseInt(aadsts.group(1))) : List.of());
        body.put("timestamp", timestamp);
        body.put("trace_id", UUID.randomUUID().toString());
        body.put("correlation_id", UUID.randomUUID().toString());
        return StubResponses.json(status, body);
    }

    private static ResponseDefinition fault(int status, int code, String errorCode, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("Code", code);
        error.put("Detail", null);
        error.put("ErrorCode", errorCode);
        error.put("Message", message);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("TrackingId", UUID.randomUUID().toString());
        body.put("Type", "AdApiFaultDetail");
        body.put("Errors", List.of(error));
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(JSONObjectUtils.toJSONString(body)).build();
    }

    private static ResponseDefinition json(Map<String, Object> body) {
        return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8")
                .withBody(JSONObjectUtils.toJSONString(body)).build();
    }
}
