package com.adsconnect.devinfra.oauth;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.matching.UrlPattern;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What every provider sandbox (Amazon, Google, Microsoft) offers tests and the local run alike: a
 * WireMock server answering in the provider's wire format, its grants, and faults per endpoint
 * (queued, held at a gate, storms, steady latency). Subclasses add the provider's settings and
 * its own knobs.
 *
 * @param <E> the provider's endpoints faults can be queued for
 * @param <A> the provider's account type
 */
public abstract class SandboxProvider<E extends Enum<E>, A> implements AutoCloseable {

    protected final SandboxGrants<A> grants;
    protected final SandboxFaults<E> faults;
    protected final SandboxConsent<A> consent;
    private final WireMockServer server;
    private final String transformer;

    protected SandboxProvider(int port, int threads, SandboxGrants<A> grants, SandboxFaults<E> faults, SandboxConsent<A> consent,
            SandboxEndpoints endpoints) {
        this.grants = grants;
        this.faults = faults;
        this.consent = consent;
        this.transformer = endpoints.getName();
        this.server = new WireMockServer(options().bindAddress("127.0.0.1").port(port).containerThreads(threads)
                // the request log serves the tests' call counting; bounded so long simulations do not fill the heap
                .maxRequestJournalEntries(200_000)
                .extensions(endpoints));
    }

    /** Starts the server; the endpoints answer every request matching {@code served}. */
    protected void serve(UrlPattern served) {
        server.start();
        server.stubFor(any(served).atPriority(10).willReturn(aResponse().withTransformers(transformer)));
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

    /** Holds the next call of the endpoint until the returned gate is opened; then answers it for real. */
    public SandboxFault.Gate holdNext(E endpoint) {
        SandboxFault.Gate gate = new SandboxFault.Gate();
        faults.failNext(endpoint, 1, new SandboxFault.Held(gate));
        return gate;
    }

    /** Answers the next {@code times} calls of the endpoint with the fault. */
    public void failNext(E endpoint, int times, SandboxFault fault) {
        faults.failNext(endpoint, times, fault);
    }

    /**
     * Answers every call of the endpoint with the fault for the given time, as an outage or a
     * throttling storm does: a breaker that stops calling does not shorten it.
     */
    public void failFor(E endpoint, Duration duration, SandboxFault fault) {
        faults.storm(endpoint, Instant.now().plus(duration), fault);
    }

    /** Every answer of the endpoint takes this long, like a real service's steady latency (zero: none). */
    public void steadyLatency(E endpoint, Duration latency) {
        faults.steadyLatency(endpoint, latency);
    }

    /** The next consent in the realm grants this account instead of the realm's default. */
    protected void grantNext(String realm, A account) {
        consent.grantNext(realm, account);
    }

    /** The next consent grants only this scope (space-separated), whatever was asked: a user who unticked a permission. */
    public void grantOnlyNext(String scope) {
        consent.grantOnlyNext(scope);
    }

    /** Makes every refresh token issued so far invalid, as when every user removes the app's access. */
    public void revokeAllRefreshTokens() {
        grants.revokeAll();
    }

    /** Whether the refresh token still works (issued and not revoked). */
    public boolean isLive(String refreshToken) {
        return grants.grantOf(refreshToken) != null;
    }

    /** Every access and refresh token the sandbox has issued, to look for them where they must not be. */
    public List<String> issuedTokens() {
        return grants.issuedTokens();
    }

    /** Token endpoint calls of the grant type ({@code refresh_token}, {@code authorization_code}). */
    public int tokenCalls(String grantType) {
        return grants.tokenCalls(grantType);
    }

    /**
     * Refresh tokens {@code <prefix><REALM>_<n>} are valid grants of the realm's default account
     * without having been issued: for simulations that write synthetic connections straight into the
     * database. Their access tokens are issued as usual.
     */
    public void acceptSyntheticRefreshTokens(String prefix) {
        grants.acceptSyntheticRefreshTokens(prefix);
    }

    /** Clears queued faults, storms and consent settings (grants stay). */
    public void reset() {
        faults.reset();
        consent.reset();
        grants.revokeRotatedOut(false);
    }

    @Override
    public void close() {
        server.stop();
    }
}
