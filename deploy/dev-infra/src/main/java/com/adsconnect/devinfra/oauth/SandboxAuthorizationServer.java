package com.adsconnect.devinfra.oauth;

import com.adsconnect.devinfra.stub.StubResponses;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The parts of an OAuth 2.0 authorization server (RFC 6749, with PKCE) that the sandboxes share:
 * the consent redirect, client authentication and grant dispatch at the token endpoint, the token
 * answer, and reading a bearer token. Each provider's sandbox adds its own error format
 * ({@link #error}) and its API.
 *
 * @param <A> the provider's account type
 */
public final class SandboxAuthorizationServer<A> {

    /** Writes an OAuth error in the provider's format: status, {@code error} code, description. */
    public interface ErrorWriter {
        ResponseDefinition write(int status, String error, String description);
    }

    private final String clientId;
    private final String clientSecret;
    private final SandboxGrants<A> grants;
    private final ErrorWriter errors;

    public SandboxAuthorizationServer(String clientId, String clientSecret, SandboxGrants<A> grants, ErrorWriter errors) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.grants = grants;
        this.errors = errors;
    }

    /**
     * The consent page, which consents at once for {@code account}: a redirect to
     * {@code redirect_uri?code=...&state=...} (and {@code scope}, where the provider sends it back).
     * {@code grantedScope} is what the user granted (null: what was asked).
     */
    public ResponseDefinition consent(String realm, Map<String, String> query, A account, String grantedScope, boolean echoScope) {
        if (!clientId.equals(query.get("client_id"))) {
            return text(400, "Unknown client_id");
        }
        String redirectUri = query.get("redirect_uri");
        if (redirectUri == null || !"code".equals(query.get("response_type")) || query.get("state") == null) {
            return text(400, "redirect_uri, response_type=code and state are required");
        }
        if (query.containsKey("code_challenge") && !"S256".equals(query.get("code_challenge_method"))) {
            return text(400, "only code_challenge_method=S256 is supported");
        }
        String scope = grantedScope != null ? grantedScope : query.getOrDefault("scope", "");
        String code = grants.issueCode(realm, redirectUri, query.get("code_challenge"), scope, account);
        String location = redirectUri + (redirectUri.contains("?") ? "&" : "?") + "code=" + encode(code)
                + (echoScope ? "&scope=" + encode(scope) : "") + "&state=" + encode(query.get("state"));
        return new ResponseDefinitionBuilder().withStatus(302).withHeader("Location", location).build();
    }

    /**
     * The token endpoint: a form-encoded request, the client authenticated by {@code client_id} and
     * {@code client_secret} in the form, then the grant: the code (single use, same realm and
     * redirect URI, PKCE verifier) or the refresh token. {@code answer} writes the tokens.
     */
    public ResponseDefinition token(String realm, LoggedRequest request,
            BiFunction<SandboxGrants.Issued, String, ResponseDefinition> answer) {
        String contentType = request.getHeader("Content-Type");
        if (contentType == null || !contentType.startsWith("application/x-www-form-urlencoded")) {
            return errors.write(400, "invalid_request", "The request must be form-encoded");
        }
        Map<String, String> form = StubResponses.formDecode(request.getBodyAsString());
        grants.countTokenCall(form.get("grant_type"));
        if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
            return errors.write(401, "invalid_client", "Client authentication failed");
        }
        return switch (String.valueOf(form.get("grant_type"))) {
            case "authorization_code" -> {
                SandboxGrants.Code<A> code = grants.takeCode(form.get("code"));
                String refusal = SandboxGrants.codeRefusal(code, realm, form.get("redirect_uri"), form.get("code_verifier"));
                yield refusal != null ? errors.write(400, "invalid_grant", refusal)
                        : answer.apply(grants.issueGrant(realm, code.account(), code.scope()), code.scope());
            }
            case "refresh_token" -> {
                SandboxGrants.Grant<A> grant = grants.grantOf(form.get("refresh_token"));
                yield grant == null || !grant.realm().equals(realm)
                        ? errors.write(400, "invalid_grant", "The refresh token is invalid, expired or revoked")
                        : answer.apply(grants.refresh(form.get("refresh_token"), grant), grant.scope());
            }
            default -> errors.write(400, "unsupported_grant_type", "The grant type is not supported");
        };
    }

    /** A JSON token answer with the provider's fields, as name, value, name, value, ...; a null value is left out. */
    public static ResponseDefinition tokenAnswer(Object... fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            if (fields[i + 1] != null) {
                body.put((String) fields[i], fields[i + 1]);
            }
        }
        return new ResponseDefinitionBuilder().withStatus(200)
                .withHeader("Content-Type", "application/json;charset=UTF-8")
                .withHeader("Cache-Control", "no-store")
                .withBody(JSONObjectUtils.toJSONString(body)).build();
    }

    /** The unexpired access token a request carries as {@code Authorization: Bearer}; null for none or any other. */
    public SandboxGrants.AccessToken<A> bearer(LoggedRequest request) {
        String authorization = request.getHeader("Authorization");
        return grants.accessToken(authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null);
    }

    public static ResponseDefinition text(int status, String body) {
        return new ResponseDefinitionBuilder().withStatus(status).withHeader("Content-Type", "text/plain").withBody(body).build();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
