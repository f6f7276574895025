package com.adsconnect.devinfra.clerk;

import com.adsconnect.devinfra.stub.StubResponses;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Answers the sandbox's session and token calls in Clerk's Backend API format. */
final class SandboxClerkTokenEndpoint implements ResponseDefinitionTransformerV2 {

    static final String NAME = "sandbox-clerk-tokens";

    private static final Pattern SESSION_TOKENS = Pattern.compile("/v1/sessions/([^/]+)/tokens");
    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_\\-]{1,128}");

    private final SandboxClerk clerk;
    private final SandboxSessions sessions;

    SandboxClerkTokenEndpoint(SandboxClerk clerk, SandboxSessions sessions) {
        this.clerk = clerk;
        this.sessions = sessions;
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
        String path = URI.create(request.getUrl()).getPath();
        String method = request.getMethod().getName();
        if ("GET".equals(method) && "/sandbox/dev-token".equals(path)) {
            return devToken(StubResponses.formDecode(URI.create(request.getUrl()).getRawQuery()));
        }
        if ("POST".equals(method) && "/v1/sessions".equals(path)) {
            return createSession(request.getBodyAsString());
        }
        Matcher tokens = SESSION_TOKENS.matcher(path);
        if ("POST".equals(method) && tokens.matches()) {
            return sessions.find(tokens.group(1))
                    .map(session -> StubResponses.json(200, Map.of("object", "token", "jwt",
                            clerk.sign(clerk.claimsFor(session.userId(), Map.of(), clerk.defaultTokenLifetime())
                                    .claim("sid", session.id()).build()))))
                    .orElseGet(() -> error(404, "resource_not_found", "session not found"));
        }
        return error(404, "resource_not_found", "no such sandbox endpoint");
    }

    private ResponseDefinition devToken(Map<String, String> query) {
        String userId = query.get("user_id");
        if (userId == null || !USER_ID.matcher(userId).matches()) {
            return error(422, "form_param_invalid", "user_id is required: letters, digits, '_' or '-'");
        }
        Map<String, Object> extra = new HashMap<>();
        for (String claim : new String[] {"email", "first_name", "last_name", "image_url"}) {
            if (query.containsKey(claim)) {
                extra.put(claim, query.get(claim));
            }
        }
        Duration lifetime = clerk.defaultTokenLifetime();
        if (query.containsKey("ttl_seconds")) {
            try {
                lifetime = Duration.ofSeconds(Math.clamp(Long.parseLong(query.get("ttl_seconds")), 1, 86_400));
            } catch (NumberFormatException e) {
                return error(422, "form_param_invalid", "ttl_seconds must be a number");
            }
        }
        var claims = clerk.claimsFor(userId, extra, lifetime).build();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "token");
        body.put("jwt", clerk.sign(claims));
        body.put("user_id", userId);
        body.put("expires_at", claims.getExpirationTime().toInstant().getEpochSecond());
        return StubResponses.json(200, body);
    }

    private ResponseDefinition createSession(String body) {
        String userId;
        try {
            userId = body == null || body.isBlank() ? null : JSONObjectUtils.getString(JSONObjectUtils.parse(body), "user_id");
        } catch (ParseException e) {
            return error(400, "malformed_request", "body must be JSON");
        }
        if (userId == null || !USER_ID.matcher(userId).matches()) {
            return error(422, "form_param_invalid", "user_id is required");
        }
        SandboxSessions.Session session = sessions.create(userId);
        return StubResponses.json(200, Map.of("object", "session", "id", session.id(), "user_id", userId, "status", "active"));
    }


    private static ResponseDefinition error(int status, String code, String message) {
        return StubResponses.json(status, Map.of("errors", java.util.List.of(Map.of("code", code, "message", message))));
    }

}
