package com.adsconnect.devinfra.slack;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;
import java.util.UUID;

/**
 * A stand-in for Slack's incoming webhooks ({@code POST https://hooks.slack.com/services/T…/B…/…}
 * with a JSON message), in their wire format: a registered hook answers {@code 200 ok}; any other
 * path {@code 404 no_service}, as Slack does for a removed hook. Every request it receives is
 * recorded, so a test can show where posts went and that nothing else was called.
 */
public final class SandboxSlack implements AutoCloseable {

    /** Slack's host: the one a user's webhook URL must name. */
    public static final String SLACK_HOOKS = "https://hooks.slack.com";

    private final WireMockServer server;

    private SandboxSlack(WireMockServer server) {
        this.server = server;
    }

    public static SandboxSlack start(int port) {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").port(port).containerThreads(8));
        server.start();
        SandboxSlack slack = new SandboxSlack(server);
        slack.reset();
        return slack;
    }

    /** Where a service's posts go instead of {@link #SLACK_HOOKS} (the {@code notifications.slack.api-base-url}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** A new hook: its path answers {@code ok}. Returns the URL a user would paste (Slack's host). */
    public String newHook() {
        String path = "/services/T" + random(9) + "/B" + random(11) + "/" + random(12).toLowerCase() + random(12);
        server.stubFor(post(urlEqualTo(path)).atPriority(1)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("ok")));
        return SLACK_HOOKS + path;
    }

    /** The hook answers {@code status} with Slack's error text from now on (e.g. 404 no_service, 410 channel_is_archived, 500). */
    public void failHook(String hookUrl, int status, String error) {
        server.stubFor(post(urlEqualTo(pathOf(hookUrl))).atPriority(1)
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "text/html").withBody(error)));
    }

    /** The JSON bodies posted to the hook, oldest first. */
    public List<String> postsTo(String hookUrl) {
        String path = pathOf(hookUrl);
        return all().stream().filter(request -> request.getUrl().equals(path)).map(LoggedRequest::getBodyAsString).toList();
    }

    /** Every request received, wherever it went. */
    public List<LoggedRequest> all() {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(anyUrl()));
    }

    /** Forgets hooks and requests; unknown paths answer 404 no_service. */
    public void reset() {
        server.resetAll();
        server.stubFor(any(anyUrl()).atPriority(10)
                .willReturn(aResponse().withStatus(404).withHeader("Content-Type", "text/html").withBody("no_service")));
    }

    private static String pathOf(String hookUrl) {
        return hookUrl.startsWith(SLACK_HOOKS) ? hookUrl.substring(SLACK_HOOKS.length()) : hookUrl;
    }

    private static String random(int length) {
        StringBuilder out = new StringBuilder();
        while (out.length() < length) {
            out.append(UUID.randomUUID().toString().replace("-", "").toUpperCase());
        }
        return out.substring(0, length);
    }

    @Override
    public void close() {
        server.stop();
    }
}
