package com.adsconnect.devinfra.amazon;

import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.adsconnect.devinfra.oauth.SandboxProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for Login with Amazon and the Amazon Ads API, in their wire formats, for the local
 * run and tests. One server serves the three regions under {@code /na}, {@code /eu}, {@code /fe}:
 * <ul>
 *   <li>{@code GET /{region}/ap/oa}: the consent page, which consents at once and redirects to
 *       {@code redirect_uri?code=...&state=...&scope=...}</li>
 *   <li>{@code POST /{region}/auth/o2/token}: form-encoded {@code authorization_code} and
 *       {@code refresh_token} grants; JSON tokens, or {@code {error, error_description}}</li>
 *   <li>{@code GET /{region}/v2/profiles}: the granted account's profiles, for a valid bearer token
 *       and {@code Amazon-Advertising-API-ClientId}</li>
 *   <li>{@code POST /sandbox/faults}: queue faults from outside (local run), see {@link SandboxAmazonEndpoints}</li>
 * </ul>
 * Faults (429 with {@code Retry-After}, 5xx, {@code invalid_grant}, malformed bodies, latency)
 * can be queued per endpoint ({@link SandboxProvider}). It runs on WireMock, so tests can add stubs
 * of their own too.
 */
public final class SandboxAmazon extends SandboxProvider<SandboxAmazon.Endpoint, SandboxAmazonAccount> {

    public static final String CLIENT_ID = "amzn1.application-oa2-client.sandbox0000000000000000";
    public static final String CLIENT_SECRET = "amzn1.oa2-cs.v1.sandbox-secret-not-for-production";

    /** The endpoints faults can be queued for. */
    public enum Endpoint { TOKEN, PROFILES }

    private SandboxAmazon(int port, SandboxAmazonState state) {
        super(port, 32, state.grants, state.faults, state.consent, new SandboxAmazonEndpoints(state));
    }

    public static SandboxAmazon start(int port, Duration accessTokenLifetime) {
        SandboxAmazon amazon = new SandboxAmazon(port, new SandboxAmazonState(CLIENT_ID, CLIENT_SECRET, accessTokenLifetime));
        amazon.serve(urlPathMatching("/(na|eu|fe)/.*|/sandbox/.*"));
        return amazon;
    }

    /** The {@code amazon.regions.*} settings that point a service at this sandbox. */
    public Map<String, String> regionProperties() {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        for (String region : List.of("NA", "EU", "FE")) {
            String prefix = baseUrl() + "/" + region.toLowerCase();
            properties.put("amazon.regions." + region + ".authorization-url", prefix + "/ap/oa");
            properties.put("amazon.regions." + region + ".token-url", prefix + "/auth/o2/token");
            properties.put("amazon.regions." + region + ".api-base-url", prefix);
        }
        return properties;
    }

    /** The next consent in the region grants this account instead of the region's default. */
    public void grantNext(String region, SandboxAmazonAccount account) {
        super.grantNext(region, account);
    }
}
