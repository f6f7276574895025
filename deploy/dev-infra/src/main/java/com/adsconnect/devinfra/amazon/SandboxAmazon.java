package com.adsconnect.devinfra.amazon;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.time.Duration;
import java.time.Instant;
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
 * can be queued per endpoint. It runs on WireMock, so tests can add stubs of their own too.
 */
public final class SandboxAmazon implements AutoCloseable {

    public static final String CLIENT_ID = "amzn1.application-oa2-client.sandbox0000000000000000";
    public static final String CLIENT_SECRET = "amzn1.oa2-cs.v1.sandbox-secret-not-for-production";

    /** The endpoints faults can be queued for. */
    public enum Endpoint { TOKEN, PROFILES }

    private final WireMockServer server;
    private final SandboxAmazonState state;

    private SandboxAmazon(int port, Duration accessTokenLifetime) {
        this.state = new SandboxAmazonState(CLIENT_ID, CLIENT_SECRET, accessTokenLifetime);
        this.server = new WireMockServer(options()
                .bindAddress("127.0.0.1")
                .port(port)
                .containerThreads(32)
                // the request log serves the tests' call counting; bounded so long simulations do not fill the heap
                .maxRequestJournalEntries(200_000)
                .extensions(new SandboxAmazonEndpoints(state)));
    }

    public static SandboxAmazon start(int port, Duration accessTokenLifetime) {
        SandboxAmazon amazon = new SandboxAmazon(port, accessTokenLifetime);
        amazon.server.start();
        amazon.server.stubFor(any(urlPathMatching("/(na|eu|fe)/.*|/sandbox/.*"))
                .atPriority(10)
                .willReturn(aResponse().withTransformers(SandboxAmazonEndpoints.NAME)));
        return amazon;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public int port() {
        return server.port();
    }

    public WireMockServer wireMock() {
        return server;
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
        state.grantNext(region, account);
    }

    /** Holds the next call of the endpoint until the returned gate is opened; then answers it for real. */
    public SandboxAmazonFault.Gate holdNext(Endpoint endpoint) {
        SandboxAmazonFault.Gate gate = new SandboxAmazonFault.Gate();
        state.failNext(endpoint, 1, new SandboxAmazonFault.Held(gate));
        return gate;
    }

    /** Answers the next {@code times} calls of the endpoint with the fault. */
    public void failNext(Endpoint endpoint, int times, SandboxAmazonFault fault) {
        state.failNext(endpoint, times, fault);
    }

    /** Makes every refresh token issued so far invalid, as when a user removes the app's access. */
    public void revokeAllRefreshTokens() {
        state.revokeAllRefreshTokens();
    }

    /** Every access and refresh token the sandbox has issued, to look for them where they must not be. */
    public List<String> issuedTokens() {
        return state.issuedTokens();
    }

    public int tokenCalls(String grantType) {
        return state.tokenCalls(grantType);
    }

    /**
     * Answers every call of the endpoint with the fault for the given time, as an outage or a
     * throttling storm does: a breaker that stops calling does not shorten it.
     */
    public void failFor(Endpoint endpoint, Duration duration, SandboxAmazonFault fault) {
        state.storm(endpoint, Instant.now().plus(duration), fault);
    }

    /** Every answer of the endpoint takes this long, like a real service's steady latency (zero: none). */
    public void steadyLatency(Endpoint endpoint, Duration latency) {
        state.steadyLatency(endpoint, latency);
    }

    /**
     * Refresh tokens starting with {@code prefix} followed by a region ({@code sim_NA_42}) are valid
     * grants without having been issued: for simulations that write synthetic connections straight
     * into the database. Their access tokens are issued as usual, but not remembered.
     */
    public void acceptSyntheticRefreshTokens(String prefix) {
        state.acceptSyntheticRefreshTokens(prefix);
    }

    public void reset() {
        state.reset();
    }

    @Override
    public void close() {
        server.stop();
    }
}
