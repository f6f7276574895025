package com.adsconnect.account.connection;

import static com.adsconnect.account.support.AmazonConnect.callback;
import static com.adsconnect.account.support.AmazonConnect.consent;
import static com.adsconnect.account.support.AmazonConnect.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.devinfra.amazon.SandboxAmazon.Endpoint;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A hanging Amazon costs the user a bounded wait and a clear answer, and stores nothing. */
@AccountServiceTest
@TestPropertySource(properties = "amazon.response-timeout=500ms")
class AmazonTimeoutTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @AfterEach
    void reset() {
        infrastructure.amazon().reset();
    }

    @Test
    void aSlowTokenEndpointAnswers502WithinTheTimeout() {
        WebTestClient user = new Api(web, infrastructure.clerk()).as("user_timeout");
        var redirect = consent((String) start(user, "NA").get("authorizationUrl"));
        infrastructure.amazon().failNext(Endpoint.TOKEN, 1, new SandboxFault.Latency(Duration.ofSeconds(5)));

        long started = System.nanoTime();
        callback(user, redirect).expectStatus().isEqualTo(502)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/provider-unavailable");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(new Db(infrastructure).count("SELECT count(*) FROM connections")).isZero();
    }
}
