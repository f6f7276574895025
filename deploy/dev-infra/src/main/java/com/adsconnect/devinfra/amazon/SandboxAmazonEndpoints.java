package com.adsconnect.devinfra.amazon;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.adsconnect.devinfra.stub.StubResponses;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Answers the sandbox's Login with Amazon and Ads API calls. */
final class SandboxAmazonEndpoints implements ResponseDefinitionTransformerV2 {

    static final String NAME = "sandbox-amazon";

    private final SandboxAmazonState state;

    SandboxAmazonEndpoints(SandboxAmazonState state) {
        this.state = state;
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        LoggedRequest request = serveEvent.getRequest();
        URI url = URI.create(request.getUrl());
        String path = url.getPath();
        String method = request.getMethod().getName();
        if ("POST".equals(method) && "/sandbox/faults".equals(path)) {
            return queueFault(request.getBodyAsString());
        }
        if ("POST".equals(method) && "/sandbox/revoke-all".equals(path)) {
            state.revokeAllRefreshTokens();
            return StubResponses.json(200, Map.of("revoked", true));
        }
        String[] parts = path.split("/", 3);
        if (parts.length < 3) {
            return StubResponses.json(404, Map.of("error", "not_found"));
        }
        String region = parts[1].toUpperCase(Locale.ROOT);
        String rest = "/" + parts[2];
        if ("GET".equals(method) && "/ap/oa".equals(rest)) {
            return consent(region, StubResponses.formDecode(url.getRawQuery()));
        }
        if ("POST".equals(method) && "/auth/o2/token".equals(rest)) {
            return withFault(SandboxAmazon.Endpoint.TOKEN, () -> token(region, request));
        }
        if ("GET".equals(method) && "/v2/profiles".equals(rest)) {
            return withFault(SandboxAmazon.Endpoint.PROFILES, () -> profiles(region, request));
        }
        return StubResponses.json(404, Map.of("error", "not_found"));
    }

    private ResponseDefinition consent(String region, Map<String, String> query) {
        if (!state.clientId.equals(query.get("client_id"))) {
            return text(400, "Unknown client_id");
        }
        String redirectUri = query.get("redirect_uri");
        if (redirectUri == null || !"code".equals(query.get("response_type")) || query.get("state") == null) {
            return text(400, "redirect_uri, response_type=code and state are required");
        }
        if (query.containsKey("code_challenge") && !"S256".equals(query.get("code_challenge_method"))) {
            return text(400, "only code_challenge_method=S256 is supported");
        }
        String code = state.issueCode(region, redirectUri, query.get("code_challenge"));
        String location = redirectUri + (redirectUri.contains("?") ? "&" : "?")
                + "code=" + encode(code) + "&scope=" + encode(query.getOrDefault("scope", "")) + "&state=" + encode(query.get("state"));
        return new ResponseDefinitionBuilder().withStatus(302).withHeader("Location", location).build();
    }

    private ResponseDefinition token(String region, LoggedRequest request) {
        String contentType = request.getHeader("Content-Type");
        if (contentType == null || !contentType.startsWith("application/x-www-form-urlencoded")) {
            return lwaError(400, "invalid_request", "The request must be form-encoded");
        }
        Map<String, String> form = StubResponses.formDecode(request.getBodyAsString());
        state.countTokenCall(form.get("grant_type"));
        if (!state.clientId.equals(form.get("client_id")) || !state.clientSecret.equals(form.get("client_secret"))) {
            return lwaError(401, "invalid_client", "Client authentication failed");
        }
        return switch (String.valueOf(form.get("grant_type"))) {
            case "authorization_code" -> codeGrant(region, form);
            case "refresh_token" -> refreshGrant(region, form);
            default -> lwaError(400, "unsupported_grant_type", "The grant type is not supported");
        };
    }

    private ResponseDefinition codeGrant(String region, Map<String, String> form) {
        SandboxAmazonState.Code code = state.takeCode(form.get("code"));
        if (code == null || code.expiresAt().isBefore(java.time.Instant.now()) || !code.region().equals(region)) {
            return lwaError(400, "invalid_grant", "The authorization code is invalid or expired");
        }
        if (!code.redirectUri().equals(form.get("redirect_uri"))) {
            return lwaError(400, "invalid_grant", "The redirect_uri does not match the authorization request");
        }
        if (code.codeChallenge() != null && !code.codeChallenge().equals(s256(form.get("code_verifier")))) {
            return lwaError(400, "invalid_grant", "The code_verifier does not match the code_challenge");
        }
        String[] tokens = state.issueTokens(region, code.account(), null);
        return tokenResponse(tokens);
    }

    private ResponseDefinition refreshGrant(String region, Map<String, String> form) {
        SandboxAmazonState.Grant grant = state.grantOf(form.get("refresh_token"));
        if (grant == null || !grant.region().equals(region)) {
            return lwaError(400, "invalid_grant", "The refresh token is invalid or revoked");
        }
        return tokenResponse(state.issueTokens(region, grant.account(), form.get("refresh_token")));
    }

    private ResponseDefinition tokenResponse(String[] tokens) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", tokens[0]);
        body.put("refresh_token", tokens[1]);
        body.put("token_type", "bearer");
        body.put("expires_in", state.accessTokenLifetime.toSeconds());
        return new ResponseDefinitionBuilder().withStatus(200)
                .withHeader("Content-Type", "application/json;charset=UTF-8")
                .withHeader("Cache-Control", "no-store")
                .withBody(JSONObjectUtils.toJSONString(body)).build();
    }

    private ResponseDefinition profiles(String region, LoggedRequest request) {
        if (!state.clientId.equals(request.getHeader("Amazon-Advertising-API-ClientId"))) {
            return StubResponses.json(400, Map.of("code", "400", "details", "Amazon-Advertising-API-ClientId is missing or unknown"));
        }
        String authorization = request.getHeader("Authorization");
        String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
        SandboxAmazonState.AccessToken access = state.accessToken(token);
        if (access == null || !access.region().equals(region)) {
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

    private ResponseDefinition withFault(SandboxAmazon.Endpoint endpoint, java.util.function.Supplier<ResponseDefinition> real) {
        SandboxAmazonFault fault = state.nextFault(endpoint);
        if (fault == null) {
            Duration steady = state.steadyLatency(endpoint);
            return steady.isZero() ? real.get() : ResponseDefinitionBuilder.like(real.get()).withFixedDelay((int) steady.toMillis()).build();
        }
        return switch (fault) {
            case SandboxAmazonFault.RateLimited limited -> new ResponseDefinitionBuilder().withStatus(429)
                    .withHeader("Retry-After", String.valueOf(limited.retryAfter().toSeconds()))
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"code\":\"429\",\"details\":\"Too Many Requests\"}").build();
            case SandboxAmazonFault.ServerError error -> StubResponses.json(error.status(), Map.of("error", "server_error",
                    "error_description", "The service is temporarily unavailable"));
            case SandboxAmazonFault.InvalidGrant ignored -> lwaError(400, "invalid_grant", "The grant is invalid or revoked");
            case SandboxAmazonFault.LwaError error -> lwaError(error.status(), error.error(), "Sandbox fault");
            case SandboxAmazonFault.MalformedBody ignored -> new ResponseDefinitionBuilder().withStatus(200)
                    .withHeader("Content-Type", "application/json").withBody("{\"access_tok").build();
            case SandboxAmazonFault.Latency latency -> ResponseDefinitionBuilder.like(real.get())
                    .withFixedDelay((int) latency.delay().toMillis()).build();
            case SandboxAmazonFault.Held held -> {
                held.gate().pass();
                ResponseDefinition answer = real.get();
                held.gate().answered(answer.getBody());
                yield answer;
            }
        };
    }

    /** {@code {"endpoint":"TOKEN","kind":"RATE_LIMITED|SERVER_ERROR|INVALID_GRANT|MALFORMED|LATENCY","times":3,"seconds":5}} */
    private ResponseDefinition queueFault(String body) {
        try {
            Map<String, Object> request = JSONObjectUtils.parse(body);
            SandboxAmazon.Endpoint endpoint = SandboxAmazon.Endpoint.valueOf(String.valueOf(request.get("endpoint")));
            int times = request.get("times") instanceof Number n ? n.intValue() : 1;
            long seconds = request.get("seconds") instanceof Number n ? n.longValue() : 5;
            SandboxAmazonFault fault = switch (String.valueOf(request.get("kind"))) {
                case "RATE_LIMITED" -> new SandboxAmazonFault.RateLimited(Duration.ofSeconds(seconds));
                case "SERVER_ERROR" -> new SandboxAmazonFault.ServerError(503);
                case "INVALID_GRANT" -> new SandboxAmazonFault.InvalidGrant();
                case "MALFORMED" -> new SandboxAmazonFault.MalformedBody();
                case "LATENCY" -> new SandboxAmazonFault.Latency(Duration.ofSeconds(seconds));
                default -> throw new IllegalArgumentException("unknown kind");
            };
            state.failNext(endpoint, Math.clamp(times, 1, 10_000), fault);
            return StubResponses.json(200, Map.of("queued", times));
        } catch (ParseException | IllegalArgumentException | NullPointerException e) {
            return StubResponses.json(400, Map.of("error", "expected {endpoint: TOKEN|PROFILES, kind, times, seconds}"));
        }
    }

    private static String s256(String verifier) {
        if (verifier == null) {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }


    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static ResponseDefinition lwaError(int status, String error, String description) {
        return StubResponses.json(status, Map.of("error", error, "error_description", description));
    }

    private static ResponseDefinition text(int status, String body) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "text/plain").withBody(body).build();
    }

}
