package com.adsconnect.refresher.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.refresher.amazon.AmazonProperties;
import com.adsconnect.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

/**
 * A refresh never calls Amazon with a lease about to end: Amazon's Retry-After and the retry
 * backoff are waited only when the call after them can still end before the deadline.
 */
class OAuthRefreshClientDeadlineTest {

    private final SandboxAmazon amazon = TestInfrastructure.amazon();
    private OAuthRefreshClient client;

    @BeforeEach
    void freshClient() {
        amazon.reset();
        AmazonProperties properties = new AmazonProperties(SandboxAmazon.CLIENT_ID, SandboxAmazon.CLIENT_SECRET,
                Map.of("NA", new AmazonProperties.Region(URI.create(amazon.baseUrl() + "/na/auth/o2/token"))),
                Duration.ofSeconds(2), Duration.ofSeconds(2), 10,
                new TokenEndpointResilience.Retry(4, Duration.ofMillis(100), 2.0, 0.0, Duration.ofSeconds(1)),
                new TokenEndpointResilience.CircuitBreaker(50, 20, 10, Duration.ofSeconds(30)),
                new TokenEndpointResilience.RateLimit(50, Duration.ofSeconds(5)));
        client = new OAuthRefreshClient(properties.endpoint(), WebClient.builder(), JsonMapper.builder().build(), new SimpleMeterRegistry());
    }

    /** Refresh-token grant calls the sandbox received, answered or faulted. */
    private int refreshCalls() {
        return (int) amazon.wireMock().getAllServeEvents().stream()
                .filter(event -> event.getRequest().getUrl().endsWith("/auth/o2/token"))
                .filter(event -> event.getRequest().getBodyAsString().contains("grant_type=refresh_token"))
                .count();
    }

    @AfterEach
    void clearFaults() {
        amazon.reset();
    }

    @Test
    void aRetryAfterThatOutlastsTheLeaseEndsTheRefreshInsteadOfWaitingForIt() {
        amazon.failNext(SandboxAmazon.Endpoint.TOKEN, 1, new SandboxFault.RateLimited(Duration.ofSeconds(60)));
        int calls = refreshCalls();

        StepVerifier.create(client.refresh("NA", "Atzr|deadline", Instant.now().plusSeconds(20)))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(RefreshDeadlineException.class);
                    RefreshDeadlineException deadline = (RefreshDeadlineException) error;
                    assertThat(deadline.errorCode()).isEqualTo("rate_limited");
                    assertThat(deadline.retryAfter()).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(60));
                    assertThat(deadline.providerAnswered()).as("Amazon's 429 is what is reported").isTrue();
                })
                .verify(Duration.ofSeconds(10));

        assertThat(refreshCalls() - calls).as("only the call that got the 429").isEqualTo(1);
        // the region's gate stays closed for the next refresh too, whose lease is as short
        StepVerifier.create(client.refresh("NA", "Atzr|deadline", Instant.now().plusSeconds(20)))
                .expectErrorSatisfies(error -> {
                    RefreshDeadlineException deadline = (RefreshDeadlineException) error;
                    assertThat(deadline.errorCode()).isEqualTo("rate_limited");
                    assertThat(deadline.providerAnswered()).as("nothing was asked of Amazon this time").isFalse();
                })
                .verify(Duration.ofSeconds(5));
        assertThat(refreshCalls() - calls).isEqualTo(1);
    }

    @Test
    void noCallStartsThatCouldNotEndBeforeTheDeadline() {
        int calls = refreshCalls();

        // two seconds of time limit do not fit in one second of lease
        StepVerifier.create(client.refresh("NA", "Atzr|deadline", Instant.now().plusSeconds(1)))
                .expectErrorSatisfies(error -> assertThat(((RefreshDeadlineException) error).errorCode()).isEqualTo("lease_ending"))
                .verify(Duration.ofSeconds(5));

        assertThat(refreshCalls() - calls).isZero();
    }

    @Test
    void aRetryAfterThatFitsIsWaitedAndTheRetryGoesOut() {
        amazon.failNext(SandboxAmazon.Endpoint.TOKEN, 1, new SandboxFault.RateLimited(Duration.ofSeconds(1)));
        int calls = refreshCalls();

        StepVerifier.create(client.refresh("NA", "Atzr|deadline", Instant.now().plusSeconds(30)))
                // the sandbox does not know this refresh token: a real answer from Amazon, after the wait
                .expectErrorSatisfies(error -> assertThat(((ProviderRefreshException) error).permanent()).isTrue())
                .verify(Duration.ofSeconds(10));

        assertThat(refreshCalls() - calls).isEqualTo(2);
    }
}
