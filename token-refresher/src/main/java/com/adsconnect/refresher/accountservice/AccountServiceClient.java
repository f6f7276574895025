package com.adsconnect.refresher.accountservice;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.time.Instant;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * The internal API calls of a refresh: claim (for retries), lease, report. Leases and reports are
 * sent in batches ({@link Batcher}): one request and one account-service transaction for all that
 * were asked for within a few milliseconds. Retries with backoff on I/O errors, timeouts and 5xx,
 * behind a circuit breaker; a 409 means the event is stale and is not an error.
 */
@Component
public class AccountServiceClient {

    /**
     * The refresh material of one generation, until {@code leaseExpiresAt} (account-service's clock);
     * {@link #toString()} hides the token.
     */
    public record Lease(UUID connectionId, long generation, String provider, String region, String refreshToken,
            Instant accessTokenExpiresAt, Instant leaseExpiresAt) {
        @Override
        public String toString() {
            return "Lease[connectionId=" + connectionId + ", generation=" + generation + "]";
        }
    }

    private final WebClient webClient;
    private final Duration timeout;
    private final Retry retry;
    private final CircuitBreaker breaker;
    private final Batcher<LeaseKey, Lease> leases;
    private final Batcher<Map<String, Object>, Map<String, Object>> reports;

    AccountServiceClient(AccountServiceProperties properties, WebClient.Builder webClientBuilder, MeterRegistry meters) {
        this.timeout = properties.timeout();
        this.webClient = webClientBuilder.clone()
                .baseUrl(properties.url().toString())
                .defaultHeaders(headers -> headers.setBearerAuth(properties.apiKey()))
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create()
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000)
                        .responseTimeout(properties.timeout())))
                .build();
        this.retry = Retry.of("account-service", RetryConfig.custom()
                .maxAttempts(properties.maxAttempts())
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(200), 2.0, 0.5, Duration.ofSeconds(5)))
                .retryOnException(AccountServiceClient::isTransient)
                .build());
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(50).slidingWindowSize(20).minimumNumberOfCalls(10)
                .waitDurationInOpenState(properties.circuitOpen())
                .recordException(AccountServiceClient::isTransient)
                .build());
        this.breaker = registry.circuitBreaker("account-service");
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        this.leases = new Batcher<>("lease", properties.batchSize(), properties.batchLinger(), properties.batchConcurrency(),
                this::leaseBatch);
        this.reports = new Batcher<>("report", properties.batchSize(), properties.batchLinger(), properties.batchConcurrency(),
                this::reportBatch);
    }

    @PreDestroy
    void close() {
        leases.close();
        reports.close();
    }

    /** A new generation for a retried refresh; empty when a refresh is in flight or the connection is gone. */
    public Mono<Long> claim(UUID connectionId) {
        return post("/internal/v1/refresh/claims", Map.of("connectionId", connectionId))
                .map(body -> ((Number) body.get("generation")).longValue());
    }

    /**
     * The lease of the generation; empty when the generation is stale, taken or expired. Leases
     * asked for at about the same time go to account-service in one batch request.
     */
    public Mono<Lease> lease(UUID connectionId, long generation) {
        return leases.submit(new LeaseKey(connectionId, generation));
    }

    private record LeaseKey(UUID connectionId, long generation) {
    }

    @SuppressWarnings("unchecked")
    private Mono<List<Lease>> leaseBatch(List<LeaseKey> keys) {
        List<Map<String, Object>> asked = keys.stream()
                .map(key -> Map.<String, Object>of("connectionId", key.connectionId(), "generation", key.generation())).toList();
        return post("/internal/v1/refresh/lease-batches", Map.of("leases", asked))
                .map(body -> {
                    Map<LeaseKey, Lease> granted = new HashMap<>();
                    for (Map<String, Object> lease : (List<Map<String, Object>>) body.get("leases")) {
                        UUID connectionId = UUID.fromString((String) lease.get("connectionId"));
                        long generation = ((Number) lease.get("generation")).longValue();
                        // leases of account-services from before other providers carry no provider: Amazon's
                        String provider = lease.get("provider") instanceof String named ? named : "AMAZON";
                        granted.put(new LeaseKey(connectionId, generation), new Lease(connectionId, generation, provider,
                                (String) lease.get("region"), (String) lease.get("refreshToken"),
                                instant(lease.get("accessTokenExpiresAt")), instant(lease.get("leaseExpiresAt"))));
                    }
                    List<Lease> answers = new ArrayList<>(keys.size());
                    // asked twice in one batch: granted once
                    keys.forEach(key -> answers.add(granted.remove(key)));
                    return answers;
                });
    }

    private static Instant instant(Object value) {
        return value == null ? null : Instant.parse((String) value);
    }

    /** What account-service did with a report. */
    public enum ReportResult {
        /** Stored, for the current generation. */
        APPLIED,
        /** A late success whose rotated refresh token was newer than the stored one: stored. */
        KEPT_ROTATED_REFRESH_TOKEN,
        /** The generation moved on (or the report was a duplicate): nothing changed. */
        STALE
    }

    /** account-service refused a report as invalid; sending it again cannot change that. */
    public static final class ReportRejectedException extends RuntimeException {
        ReportRejectedException(String detail) {
            super("report rejected: " + detail);
        }
    }

    public Mono<ReportResult> reportSuccess(UUID connectionId, long generation, String accessToken, long expiresInSeconds,
            String newRefreshToken, Duration refreshTokenExpiresIn) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connectionId", connectionId);
        body.put("generation", generation);
        body.put("outcome", "SUCCESS");
        body.put("accessToken", accessToken);
        body.put("expiresInSeconds", expiresInSeconds);
        if (newRefreshToken != null) {
            body.put("refreshToken", newRefreshToken);
        }
        if (refreshTokenExpiresIn != null) {
            body.put("refreshTokenExpiresInSeconds", refreshTokenExpiresIn.toSeconds());
        }
        return reports.submit(body).flatMap(AccountServiceClient::reportResult);
    }

    /** {@code retryAfter}: the provider asked to be left alone this long; null when it did not say. */
    public Mono<ReportResult> reportFailure(UUID connectionId, long generation, boolean permanent, String errorCode, Duration retryAfter) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connectionId", connectionId);
        body.put("generation", generation);
        body.put("outcome", permanent ? "PERMANENT_FAILURE" : "TRANSIENT_FAILURE");
        body.put("errorCode", errorCode);
        if (retryAfter != null && retryAfter.isPositive()) {
            body.put("retryAfterSeconds", Math.max(1, retryAfter.toSeconds()));
        }
        return reports.submit(body).flatMap(AccountServiceClient::reportResult);
    }

    private static Mono<ReportResult> reportResult(Map<String, Object> answer) {
        String result = (String) answer.get("result");
        if ("REJECTED".equals(result)) {
            return Mono.error(new ReportRejectedException(String.valueOf(answer.get("detail"))));
        }
        return Mono.just(result == null ? ReportResult.STALE : ReportResult.valueOf(result));
    }

    @SuppressWarnings("unchecked")
    private Mono<List<Map<String, Object>>> reportBatch(List<Map<String, Object>> reports) {
        return post("/internal/v1/refresh/report-batches", Map.of("reports", reports))
                .map(body -> (List<Map<String, Object>>) body.get("results"));
    }

    /** Errors a later call may not get: I/O, timeouts, 5xx, and the breaker's refusals while account-service is down. */
    public static boolean worthRetrying(Throwable error) {
        return isTransient(error) || error instanceof CallNotPermittedException;
    }

    @SuppressWarnings("unchecked")
    private Mono<Map<String, Object>> post(String path, Map<String, Object> body) {
        return webClient.post().uri(path).bodyValue(body)
                .retrieve()
                .bodyToMono(Map.class)
                .map(map -> (Map<String, Object>) map)
                .timeout(timeout)
                .onErrorResume(WebClientResponseException.class, e -> e.getStatusCode().value() == HttpStatus.CONFLICT.value()
                        ? Mono.empty()
                        : Mono.error(e))
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .transformDeferred(RetryOperator.of(retry));
    }

    private static boolean isTransient(Throwable error) {
        return error instanceof WebClientRequestException || error instanceof TimeoutException
                || error instanceof WebClientResponseException e && e.getStatusCode().is5xxServerError();
    }
}
