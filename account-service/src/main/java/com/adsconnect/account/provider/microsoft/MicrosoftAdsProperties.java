package com.adsconnect.account.provider.microsoft;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Microsoft identity platform (v2.0 endpoints) and the Microsoft Advertising REST API's
 * Customer Management service. Microsoft connections are enabled when {@code microsoft.client-id}
 * is set; then the secret, the redirect URI and the developer token are required too. Env:
 * {@code MICROSOFT_CLIENT_ID}, {@code MICROSOFT_CLIENT_SECRET}, {@code MICROSOFT_REDIRECT_URI},
 * {@code MICROSOFT_DEVELOPER_TOKEN}, {@code MICROSOFT_TENANT}, ...
 *
 * @param clientId          the app registration's application (client) id
 * @param clientSecret      its client secret
 * @param redirectUri       the exact redirect URI of the registration (the front end's callback page)
 * @param developerToken    the platform's Microsoft Advertising developer token: a secret of ours,
 *                          sent only to the Microsoft Advertising API, never returned to anyone
 * @param tenant            {@code common} (work, school and personal accounts), {@code organizations},
 *                          {@code consumers}, or a tenant id
 * @param scope             requested scopes, space-separated
 * @param requiredScope     the scope a connection cannot work without (the others are sign-in and offline access)
 * @param pkce              send a PKCE S256 challenge and redeem the code with its verifier
 * @param loginBaseUrl      the identity platform's host; the tenant and {@code /oauth2/v2.0/...} follow
 * @param customerManagementUrl the Customer Management REST service's base (production or sandbox)
 * @param connectTimeout    TCP connect timeout of every Microsoft call
 * @param responseTimeout   time to the response of every Microsoft call
 * @param maxConnections    concurrent connections to Microsoft
 */
@Validated
@ConfigurationProperties("microsoft")
public record MicrosoftAdsProperties(
        String clientId,
        String clientSecret,
        URI redirectUri,
        String developerToken,
        @NotBlank @Pattern(regexp = "[A-Za-z0-9.-]{1,64}") @DefaultValue("common") String tenant,
        @NotBlank @DefaultValue("openid profile offline_access https://ads.microsoft.com/msads.manage") String scope,
        @NotBlank @DefaultValue("https://ads.microsoft.com/msads.manage") String requiredScope,
        @DefaultValue("true") boolean pkce,
        @NotNull @DefaultValue("https://login.microsoftonline.com") URI loginBaseUrl,
        @NotNull @DefaultValue("https://clientcenter.api.bingads.microsoft.com/CustomerManagement/v13") URI customerManagementUrl,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration responseTimeout,
        @Min(1) @DefaultValue("50") int maxConnections) {

    public MicrosoftAdsProperties {
        if (enabled() && (clientSecret == null || clientSecret.isBlank() || redirectUri == null
                || developerToken == null || developerToken.isBlank())) {
            throw new IllegalArgumentException("microsoft.client-id is set: microsoft.client-secret, microsoft.redirect-uri and "
                    + "microsoft.developer-token must be set too");
        }
    }

    /** Whether Microsoft connections are configured. */
    public boolean enabled() {
        return clientId != null && !clientId.isBlank();
    }

    URI authorizationUrl() {
        return URI.create(loginBaseUrl + "/" + tenant + "/oauth2/v2.0/authorize");
    }

    URI tokenUrl() {
        return URI.create(loginBaseUrl + "/" + tenant + "/oauth2/v2.0/token");
    }

    /** Without the client secret and the developer token. */
    @Override
    public String toString() {
        return "MicrosoftAdsProperties[clientId=" + clientId + ", redirectUri=" + redirectUri + ", tenant=" + tenant
                + ", scope=" + scope + ", pkce=" + pkce + "]";
    }
}
