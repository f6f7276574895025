package com.adsconnect.devinfra.google;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.adsconnect.devinfra.oauth.SandboxProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stand-in for Google's OAuth 2.0 endpoints and the Google Ads API, in their wire formats, for
 * the local run and tests:
 * <ul>
 *   <li>{@code GET /o/oauth2/v2/auth}: the consent page; consents at once (for the account set with
 *       {@link #grantNext}, and only the scopes set with {@link #grantOnlyNext}, as a user unticking
 *       one would) and redirects to {@code redirect_uri?code=...&scope=...&state=...}</li>
 *   <li>{@code POST /token}: form-encoded {@code authorization_code} (with PKCE) and
 *       {@code refresh_token} grants; a refresh answer carries no refresh token, as Google's does not</li>
 *   <li>{@code POST /revoke}: {@code token=...}; 200, or 400 {@code invalid_token}</li>
 *   <li>{@code GET /v26/customers:listAccessibleCustomers} and {@code POST /v26/customers/{id}/googleAds:search}
 *       ({@code SELECT customer... FROM customer}), for a bearer token with the AdWords scope</li>
 *   <li>{@code POST /sandbox/faults}: queue faults from outside, as the Amazon sandbox's</li>
 * </ul>
 */
public final class SandboxGoogle extends SandboxProvider<SandboxGoogle.Endpoint, SandboxGoogleAccount> {

    public static final String CLIENT_ID = "000000000000-sandbox.apps.googleusercontent.com";
    public static final String CLIENT_SECRET = "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ction";
    public static final String DEVELOPER_TOKEN = "sandbox-developer-token-0";

    /** The endpoints faults can be queued for. */
    public enum Endpoint { TOKEN, REVOKE, ADS_API }

    private final SandboxGoogleState state;

    private SandboxGoogle(int port, SandboxGoogleState state) {
        super(port, 16, state.grants, state.faults, state.consent, new SandboxGoogleEndpoints(state));
        this.state = state;
    }

    public static SandboxGoogle start(int port, Duration accessTokenLifetime) {
        SandboxGoogle google = new SandboxGoogle(port, new SandboxGoogleState(CLIENT_ID, CLIENT_SECRET, accessTokenLifetime));
        google.serve(anyUrl());
        return google;
    }

    /** The {@code google.*} endpoint settings that point a service at this sandbox (client settings not included). */
    public Map<String, String> endpointProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("google.authorization-url", baseUrl() + "/o/oauth2/v2/auth");
        properties.put("google.token-url", baseUrl() + "/token");
        properties.put("google.revocation-url", baseUrl() + "/revoke");
        properties.put("google.api-base-url", baseUrl());
        return properties;
    }

    /** The next consent grants this account instead of the default one. */
    public void grantNext(SandboxGoogleAccount account) {
        grantNext(SandboxGoogleState.REALM, account);
    }

    /**
     * Time-based access, as a user can grant it on Google's consent screen: from now on every token
     * answer says the refresh token ends at {@code until} ({@code refresh_token_expires_in}); null
     * goes back to ordinary grants.
     */
    public void grantAccessUntil(java.time.Instant until) {
        state.accessUntil = until;
    }

    @Override
    public void reset() {
        super.reset();
        state.accessUntil = null;
    }

    /** Tokens revoked through {@code /revoke}. */
    public int revocations() {
        return state.revocations.get();
    }
}
