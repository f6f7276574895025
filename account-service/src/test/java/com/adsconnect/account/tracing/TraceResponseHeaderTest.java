package com.adsconnect.account.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

@AccountServiceTest
class TraceResponseHeaderTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Test
    void continuesTheCallersW3cTraceAndReturnsItsContext() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        new Api(web, infrastructure.clerk()).as("user_trace").get().uri("/api/v1/me")
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().value("traceresponse", value -> assertThat(value)
                        .startsWith("00-" + traceId + "-").doesNotContain("00f067aa0ba902b7"));
    }

    @Test
    void errorsCarryATraceToo() {
        web.get().uri("/api/v1/me").exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().value("traceresponse", value -> assertThat(value).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"));
    }

    @Test
    void sessionTokensDoNotOpenInternalOrUnknownPaths() {
        WebTestClient user = new Api(web, infrastructure.clerk()).as("user_paths");
        // /internal wants a service API key; a session token is not one
        user.get().uri("/internal/v1/anything").exchange().expectStatus().isUnauthorized();
        user.get().uri("/admin").exchange().expectStatus().isForbidden();
    }
}
