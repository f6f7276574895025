package com.adsconnect.account.provider.google;

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
 * Google OAuth 2.0 (web server apps) and the Google Ads API. Google connections are enabled when
 * {@code google.client-id} is set; then the secret and the redirect URI are required too. Env: {@code GOOGLE_CLIENT_ID}, {@code GOOGLE_CLIENT_SECRET},
 * {@code GOOGLE_REDIRECT_URI}, {@code GOOGLE_DEVELOPER_TOKEN}, {@code GOOGLE_SCOPE}, ...
 *
 * @param clientId         the OAuth client's id (Google Cloud console, "Web application")
 * @param clientSecret     its secret
 * @param redirectUri      the exact authorized redirect URI (the front end's callback page)
 * @param developerToken   the platform's Google Ads API developer token, if it has one: a secret of
 *                         ours, sent only to the Google Ads API, never returned to anyone. Optional:
 *                         since 2026-09-09 Google ignores the header and ties access to the Cloud
 *                         project of the OAuth client; not sent when unset
 * @param scope            requested scope(s), space-separated; all of them are required
 * @param pkce             send a PKCE S256 challenge and redeem the code with its verifier (Google supports it)
 * @param authorizationUrl Google's authorization endpoint
 * @param tokenUrl         Google's token endpoint
 * @param revocationUrl    Google's revocation endpoint
 * @param apiBaseUrl       the Google Ads API
 * @param apiVersion       the Google Ads API version in paths ({@code v22})
 * @param connectTimeout   TCP connect timeout of every Google call
 * @param responseTimeout  time to the response of every Google call
 * @param maxConnections   concurrent connections to Google
 */
@Validated
@ConfigurationProperties("google")
public record GoogleAdsProperties(
        String clientId,
        String clientSecret,
        URI redirectUri,
        String developerToken,
        @NotBlank @DefaultValue("https://www.googleapis.com/auth/adwords") String scope,
        @DefaultValue("true") boolean pkce,
        @NotNull @DefaultValue("https://accounts.google.com/o/oauth2/v2/auth") URI authorizationUrl,
        @NotNull @DefaultValue("https://oauth2.googleapis.com/token") URI tokenUrl,
        @NotNull @DefaultValue("https://oauth2.googleapis.com/revoke") URI revocationUrl,
        @NotNull @DefaultValue("https://googleads.googleapis.com") URI apiBaseUrl,
        @NotBlank @Pattern(regexp = "v[0-9]{1,3}") @DefaultValue("v26") String apiVersion,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration responseTimeout,
        @Min(1) @DefaultValue("50") int maxConnections) {

    public GoogleAdsProperties {
        if (enabled() && (clientSecret == null || clientSecret.isBlank() || redirectUri == null)) {
            throw new IllegalArgumentException("google.client-id is set: google.client-secret and google.redirect-uri must be set too");
        }
    }

    /** Whether Google connections are configured. */
    public boolean enabled() {
        return clientId != null && !clientId.isBlank();
    }

    /** Without the client secret and the developer token. */
    @Override
    public String toString() {
        return "GoogleAdsProperties[clientId=" + clientId + ", redirectUri=" + redirectUri + ", scope=" + scope + ", pkce=" + pkce
                + ", apiVersion=" + apiVersion + "]";
    }
}
