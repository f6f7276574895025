package com.adsconnect.gateway.forwarding;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.gateway.support.GatewayTestBase;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * This test plays the ingress controller: its loopback address is a trusted proxy. What the
 * ingress appended (the rightmost hop) is the client; what stands left of it, written by the
 * client, changes nothing: neither the budget keyed by address nor the address in the audit trail.
 */
@TestPropertySource(properties = {"rate-limit.backend=local", "gateway.trusted-proxies=127.0.0.1/32,::1/128",
        "rate-limit.plans.webhooks.capacity=2", "rate-limit.plans.webhooks.period=1m"})
class ForwardedClientTest extends GatewayTestBase {

    @Test
    void theAddressTheIngressSawKeysTheWebhookBudgetWhateverTheClientWroteBeforeIt() {
        String client = "203.0.113.10";
        for (int i = 0; i < 2; i++) {
            postWebhook("10.9.9." + i + ", " + client).expectStatus().isUnauthorized();
        }
        postWebhook("172.16.0.1, " + client).expectStatus().isEqualTo(429);
        // another client, another budget
        postWebhook(client + ", 203.0.113.11").expectStatus().isUnauthorized();
    }

    @Test
    void theAuditTrailRecordsTheAddressTheIngressSaw() {
        String user = "user_fwd_" + UUID.randomUUID();
        String client = "203.0.113.20";
        patchPreferences(user, "6.6.6.6, " + client);
        auditedSourceIp(user).isEqualTo(client);
    }

    @Test
    void withoutAnXForwardedForThePeerIsTheClientAndAForwardedHeaderIsIgnored() {
        String user = "user_fwd_peer_" + UUID.randomUUID();
        web.patch().uri("/api/v1/me/preferences").headers(h -> h.setBearerAuth(clerk().sessionToken(user)))
                .header("Forwarded", "for=198.51.100.9").contentType(MediaType.valueOf("application/merge-patch+json"))
                .bodyValue("{\"theme\":\"DARK\"}").exchange().expectStatus().isOk();
        auditedSourceIp(user).isEqualTo("127.0.0.1");
    }

    private void patchPreferences(String user, String xForwardedFor) {
        web.patch().uri("/api/v1/me/preferences").headers(h -> h.setBearerAuth(clerk().sessionToken(user)))
                .header("X-Forwarded-For", xForwardedFor).contentType(MediaType.valueOf("application/merge-patch+json"))
                .bodyValue("{\"theme\":\"DARK\"}").exchange().expectStatus().isOk();
    }

    private org.springframework.test.web.reactive.server.JsonPathAssertions auditedSourceIp(String user) {
        return getAs(user, "/api/v1/me/audit-events?limit=1").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.items[0].action").isEqualTo("preferences.updated")
                .jsonPath("$.items[0].sourceIp");
    }

    private WebTestClient.ResponseSpec postWebhook(String xForwardedFor) {
        return web.post().uri("/webhooks/clerk").contentType(MediaType.APPLICATION_JSON).header("X-Forwarded-For", xForwardedFor)
                .bodyValue("{}").exchange();
    }
}
