package com.adsconnect.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.devinfra.clerk.HostileTokens;
import com.adsconnect.gateway.support.GatewayTestBase;
import com.adsconnect.testsupport.AccountServiceProcess;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;

/**
 * Who gets through the gateway: genuine Clerk session tokens, from the header or the same-site
 * cookie; nothing hostile, and a refused request never reaches account-service.
 */
class GatewayAuthenticationTest extends GatewayTestBase {

    private static final String UNAUTHORIZED = "https://docs.ads-connect.dev/problems/unauthorized";

    @Autowired
    MeterRegistry meters;

    @Test
    void aGenuineTokenReachesTheBackendAsTheUser() {
        getAs("user_gw_ok", "/api/v1/me").exchange()
                .expectStatus().isOk()
                .expectHeader().exists("X-Request-Id")
                .expectBody().jsonPath("$.id").isEqualTo("user_gw_ok");
    }

    @Test
    void forgedForwardedHeadersDoNotReachTheAuditTrailTheRealClientAddressDoes() {
        String user = "user_gw_spoof_" + java.util.UUID.randomUUID();
        web.patch().uri("/api/v1/me/preferences").headers(h -> h.setBearerAuth(clerk().sessionToken(user)))
                .header("X-Forwarded-For", "198.51.100.66").header("Forwarded", "for=198.51.100.77").header("X-Real-IP", "198.51.100.88")
                .contentType(MediaType.valueOf("application/merge-patch+json")).bodyValue("{\"theme\":\"DARK\"}")
                .exchange().expectStatus().isOk();
        getAs(user, "/api/v1/me/audit-events?limit=1").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.items[0].action").isEqualTo("preferences.updated")
                .jsonPath("$.items[0].sourceIp").isEqualTo("127.0.0.1");
    }

    @TestFactory
    Stream<DynamicTest> everyHostileTokenIsRefusedWithoutReachingTheBackend() {
        Map<String, String> hostile = new HostileTokens(clerk()).forUser("user_gw_hostile");
        return hostile.entrySet().stream().map(token -> DynamicTest.dynamicTest(token.getKey(), () -> {
            long before = backendRequestsSettled();
            double failuresBefore = jwtFailures();
            for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.PATCH, HttpMethod.DELETE)) {
                web.method(method).uri("/api/v1/me")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + token.getValue())
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("{\"firstName\":\"Mallory\"}")
                        .exchange()
                        .expectStatus().isUnauthorized()
                        .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                        .expectBody()
                        .jsonPath("$.type").isEqualTo(UNAUTHORIZED)
                        .jsonPath("$.detail").isEqualTo("A valid Clerk session token is required.");
            }
            assertThat(backendRequestsSettled()).as("requests that reached account-service").isEqualTo(before);
            assertThat(jwtFailures() - failuresBefore).as("gateway.jwt.failures").isEqualTo(3);
        }));
    }

    @Test
    void aRequestWithoutTokenIsRefused() throws Exception {
        long before = backendRequestsSettled();
        web.get().uri("/api/v1/me").exchange()
                .expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.type").isEqualTo(UNAUTHORIZED);
        web.get().uri("/api/v1/me").header(HttpHeaders.AUTHORIZATION, "Basic dXNlcjpwYXNz").exchange()
                .expectStatus().isUnauthorized();
        assertThat(backendRequestsSettled()).isEqualTo(before);
    }

    @Test
    void refusalsAreCountedByReason() {
        String expired = new HostileTokens(clerk()).forUser("user_gw_metric").get("expired");
        double before = meters.counter("gateway.jwt.failures", "reason", "expired").count();
        web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(expired)).exchange().expectStatus().isUnauthorized();
        assertThat(meters.counter("gateway.jwt.failures", "reason", "expired").count()).isEqualTo(before + 1);
        web.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body)
                        .contains("gateway_jwt_failures_total{", "reason=\"expired\"")
                        .contains("spring_cloud_gateway_requests_seconds_count{")
                        // what the request path does not pay for: Spring Security's observations, long-task timers
                        .doesNotContain("spring_security_")
                        .doesNotContain("_active_seconds"));
    }

    @Test
    void theSessionCookieAuthenticatesSafeRequests() {
        web.get().uri("/api/v1/me").cookie("__session", clerk().sessionToken("user_gw_cookie")).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.id").isEqualTo("user_gw_cookie");
    }

    @Test
    void twoSessionCookiesAreRefusedWhicheverComesFirst() throws Exception {
        String victim = clerk().sessionToken("user_gw_toss_victim");
        String planted = clerk().sessionToken("user_gw_toss_attacker");
        long before = backendRequestsSettled();
        double refusals = meters.counter("gateway.session_cookie.rejections", "reason", "ambiguous").count();
        for (String[] order : new String[][] {{planted, victim}, {victim, planted}}) {
            web.get().uri("/api/v1/me")
                    .header(HttpHeaders.COOKIE, "__session=" + order[0] + "; __session=" + order[1])
                    .exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/ambiguous-session-cookie");
        }
        assertThat(backendRequestsSettled()).as("refused requests reach nothing").isEqualTo(before);
        assertThat(meters.counter("gateway.session_cookie.rejections", "reason", "ambiguous").count()).isEqualTo(refusals + 2);
        // one cookie, or a bearer token beside stray cookies, still works
        web.get().uri("/api/v1/me").header(HttpHeaders.COOKIE, "__session=" + victim).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo("user_gw_toss_victim");
        web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(victim))
                .header(HttpHeaders.COOKIE, "__session=" + planted + "; __session=" + victim)
                .exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.id").isEqualTo("user_gw_toss_victim");
    }

    @Test
    void anUnsafeRequestAuthenticatedByTheCookieMustComeFromAnAllowedOrigin() throws Exception {
        String token = clerk().sessionToken("user_gw_csrf");
        long before = backendRequestsSettled();
        web.post().uri("/api/v1/amazon/connections").cookie("__session", token)
                .header(HttpHeaders.ORIGIN, "https://evil.example")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"region\":\"NA\"}")
                .exchange()
                .expectStatus().isForbidden()
                // a browser's cross-site request fails CORS first
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/cors-rejected");
        web.post().uri("/api/v1/amazon/connections").cookie("__session", token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"region\":\"NA\"}")
                .exchange()
                .expectStatus().isForbidden()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/csrf-rejected");
        web.patch().uri("/api/v1/me").cookie("__session", token)
                .header(HttpHeaders.REFERER, "https://evil.example/page")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"firstName\":\"Mallory\"}")
                .exchange()
                .expectStatus().isForbidden();
        assertThat(backendRequestsSettled()).as("refused cross-site requests reach nothing").isEqualTo(before);

        web.post().uri("/api/v1/amazon/connections").cookie("__session", token)
                .header(HttpHeaders.ORIGIN, FRONT_END)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"region\":\"NA\"}")
                .exchange()
                .expectStatus().isCreated()
                .expectBody().jsonPath("$.authorizationUrl").exists();
        web.patch().uri("/api/v1/me").cookie("__session", token)
                .header(HttpHeaders.REFERER, FRONT_END + "/settings")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"displayName\":\"Alice\"}")
                .exchange()
                .expectStatus().isOk();
    }

    @Test
    void theClerkWebhookPassesWithoutATokenToHaveItsSignatureChecked() {
        web.post().uri("/webhooks/clerk").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"type\":\"user.created\"}")
                .exchange()
                .expectStatus().isUnauthorized()
                // account-service's answer: the request was routed, and refused there for its missing Svix signature
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/webhook-verification-failed");
    }

    @Test
    void internalEndpointsAreUnreachableEvenWithAValidServiceKey() throws Exception {
        long before = backendRequestsSettled();
        for (String path : List.of("/internal/v1/tokens", "/internal/v1/refresh/leases", "/api/../internal/v1/tokens",
                "/api/%2e%2e/internal/v1/tokens", "/actuator/env", "/api/v1/../../internal/v1/tokens")) {
            web.post().uri(path).header("X-Api-Key", AccountServiceProcess.READER_KEY)
                    .headers(h -> h.setBearerAuth(clerk().sessionToken("user_gw_internal")))
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"userId\":\"user_gw_internal\"}")
                    .exchange()
                    .expectStatus().value(status -> assertThat(status).as(path).isIn(400, 404));
        }
        assertThat(backendRequestsSettled()).isEqualTo(before);
    }

    @Test
    void corsAllowsOnlyTheConfiguredFrontEnds() {
        web.options().uri("/api/v1/me")
                .header(HttpHeaders.ORIGIN, FRONT_END)
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "PATCH")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, FRONT_END)
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        web.options().uri("/api/v1/me")
                .header(HttpHeaders.ORIGIN, "https://evil.example")
                .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "PATCH")
                .exchange()
                .expectStatus().isForbidden()
                .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/cors-rejected");
        getAs("user_gw_cors", "/api/v1/me").header(HttpHeaders.ORIGIN, FRONT_END).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, FRONT_END)
                .expectHeader().value(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, exposed -> assertThat(exposed)
                        .contains("RateLimit", "Retry-After", "X-Request-Id"));
    }

    @Test
    void everyAnswerCarriesSecurityHeadersOnceAndNoServerBanner() {
        for (var spec : List.of(getAs("user_gw_headers", "/api/v1/me"), web.get().uri("/api/v1/me"), web.get().uri("/nothing"))) {
            spec.exchange()
                    .expectHeader().values("X-Content-Type-Options", values -> assertThat(values).containsExactly("nosniff"))
                    .expectHeader().values("X-Frame-Options", values -> assertThat(values).containsExactly("DENY"))
                    .expectHeader().doesNotExist("Server")
                    // plain HTTP here: HSTS only means something over TLS
                    .expectHeader().doesNotExist("Strict-Transport-Security");
        }
        getAs("user_gw_hsts", "/api/v1/me").header("X-Forwarded-Proto", "https").exchange()
                .expectHeader().doesNotExist("Strict-Transport-Security");
    }

    @Test
    void theTraceContextAndRequestIdTravelToTheBackendAndBack() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        getAs("user_gw_trace", "/api/v1/me")
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .header("X-Request-Id", "front-end-request-42")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("X-Request-Id", "front-end-request-42")
                // written by account-service: it saw the trace the caller started
                .expectHeader().value("traceresponse", value -> assertThat(value).startsWith("00-" + traceId + "-"));
    }

    @Test
    void oversizedBodiesAreRefusedBeforeTheBackend() throws Exception {
        long before = backendRequestsSettled();
        String big = "{\"firstName\":\"" + "x".repeat(300 * 1024) + "\"}";
        web.patch().uri("/api/v1/me").headers(h -> h.setBearerAuth(clerk().sessionToken("user_gw_big")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(big)
                .exchange()
                .expectStatus().isEqualTo(413)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/payload-too-large");
        assertThat(backendRequestsSettled()).isEqualTo(before);
    }

    @Test
    void oversizedChunkedBodiesAreCutOffWhileStreaming() {
        byte[] chunk = "x".repeat(64 * 1024).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        web.patch().uri("/api/v1/me").headers(h -> h.setBearerAuth(clerk().sessionToken("user_gw_chunked")))
                .contentType(MediaType.APPLICATION_JSON)
                .body(BodyInserters.fromPublisher(Flux.range(0, 8).map(i -> chunk), byte[].class))
                .exchange()
                .expectStatus().isEqualTo(413);
    }

    private double jwtFailures() {
        return meters.find("gateway.jwt.failures").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
