package com.adsconnect.account.provider.amazon;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Login with Amazon and Amazon Ads API settings. Env: {@code AMAZON_CLIENT_ID},
 * {@code AMAZON_CLIENT_SECRET}, {@code AMAZON_REDIRECT_URI}, {@code AMAZON_SCOPE},
 * {@code AMAZON_PKCE}, {@code AMAZON_REGIONS_EU_TOKEN_URL}, ...
 *
 * @param clientId        the LWA security profile's client id
 * @param clientSecret    its client secret
 * @param redirectUri     the exact redirect URI registered with the security profile (the front end's callback page)
 * @param scope           requested scope
 * @param pkce            send a PKCE S256 challenge and redeem the code with its verifier (on by default):
 *                        binds each code to the flow that asked for it, against code injection
 * @param regions         endpoints per region (NA, EU, FE)
 * @param connectTimeout  TCP connect timeout for Amazon calls
 * @param responseTimeout time to the response for Amazon calls
 * @param maxConnections  concurrent connections to Amazon per region host
 */
@Validated
@ConfigurationProperties("amazon")
public record AmazonProperties(
        @NotBlank String clientId,
        @NotBlank String clientSecret,
        @NotNull URI redirectUri,
        @NotBlank @DefaultValue("advertising::campaign_management") String scope,
        @DefaultValue("true") boolean pkce,
        @NotEmpty Map<String, @Valid RegionEndpoints> regions,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration responseTimeout,
        @Min(1) @DefaultValue("100") int maxConnections) {

    /** Without the client secret. */
    @Override
    public String toString() {
        return "AmazonProperties[clientId=" + clientId + ", redirectUri=" + redirectUri + ", scope=" + scope + ", pkce=" + pkce
                + ", regions=" + regions + "]";
    }

    /** One region's Login with Amazon and Ads API endpoints. */
    public record RegionEndpoints(@NotNull URI authorizationUrl, @NotNull URI tokenUrl, @NotNull URI apiBaseUrl) {
    }
}
