package com.adsconnect.devinfra.microsoft;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.adsconnect.devinfra.oauth.SandboxProvider;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stand-in for the Microsoft identity platform (v2.0 endpoints) and the Microsoft Advertising
 * REST API's Customer Management service, in their wire formats, for the local run and tests:
 * <ul>
 *   <li>{@code GET /{tenant}/oauth2/v2.0/authorize}: the consent page; consents at once and
 *       redirects to {@code redirect_uri?code=...&state=...}</li>
 *   <li>{@code POST /{tenant}/oauth2/v2.0/token}: form-encoded {@code authorization_code} (with
 *       PKCE) and {@code refresh_token} grants. Every refresh answers a new refresh token; the old
 *       one stays valid as Microsoft's do, unless {@link #revokeRotatedOutRefreshTokens} is on</li>
 *   <li>{@code POST /CustomerManagement/v13/User/Query} (GetUser) and
 *       {@code POST /CustomerManagement/v13/Accounts/Search} (SearchAccounts by UserId), for a bearer
 *       token with the msads.manage scope and our {@code DeveloperToken}</li>
 *   <li>{@code POST /sandbox/faults}: queue faults from outside, as the Amazon sandbox's</li>
 * </ul>
 * Microsoft offers no endpoint to revoke one app's grant, so neither does the sandbox.
 */
public final class SandboxMicrosoft extends SandboxProvider<SandboxMicrosoft.Endpoint, SandboxMicrosoftAccount> {

    public static final String CLIENT_ID = "00000000-0000-4000-8000-5a4db0c0ffee";
    public static final String CLIENT_SECRET = "sandbox~secret-not-for-production";
    public static final String DEVELOPER_TOKEN = "SANDBOXDEVTOKEN00";

    /** The endpoints faults can be queued for. */
    public enum Endpoint { TOKEN, CUSTOMER_MANAGEMENT }

    private SandboxMicrosoft(int port, SandboxMicrosoftState state) {
        super(port, 16, state.grants, state.faults, state.consent, new SandboxMicrosoftEndpoints(state));
    }

    public static SandboxMicrosoft start(int port, Duration accessTokenLifetime) {
        SandboxMicrosoft microsoft = new SandboxMicrosoft(port,
                new SandboxMicrosoftState(CLIENT_ID, CLIENT_SECRET, DEVELOPER_TOKEN, accessTokenLifetime));
        microsoft.serve(anyUrl());
        return microsoft;
    }

    /** The {@code microsoft.*} endpoint settings that point a service at this sandbox (client settings not included). */
    public Map<String, String> endpointProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("microsoft.login-base-url", baseUrl());
        properties.put("microsoft.customer-management-url", baseUrl() + "/CustomerManagement/v13");
        return properties;
    }

    /** The next consent signs in this user instead of the default one. */
    public void grantNext(SandboxMicrosoftAccount account) {
        grantNext(SandboxMicrosoftState.ANY_TENANT, account);
    }

    /** From now on only the newest refresh token of a grant works: proves that every rotated one is stored. */
    public void revokeRotatedOutRefreshTokens(boolean revoke) {
        grants.revokeRotatedOut(revoke);
    }
}
