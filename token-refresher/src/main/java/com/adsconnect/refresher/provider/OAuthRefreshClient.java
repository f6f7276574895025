package com.adsconnect.refresher.provider;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.ratelimiter.operator.RateLimiterOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code refresh_token} grant (RFC 6749 section 6) at one provider's token endpoint, wrapped,
 * per region, in Resilience4j instances of that provider's own: retry (exponential backoff with
 * jitter, at least the provider's Retry-After, never for permanent errors) around a circuit breaker
 * around a rate limiter (the provider's quota) around a time limiter. A Retry-After closes the
 * region's gate until then, so no call, trial calls of a half-open breaker included, reaches the
 * provider before it asked. Login with Amazon, Google and the Microsoft identity platform all answer
 * in RFC 6749's format ({@code {access_token, expires_in, refresh_token?}} or {@code {error}});
 * which codes are permanent is the provider's ({@link TokenEndpoint#permanentErrors()}).
 *
 * <p>Every refresh has a deadline (the end of the caller's lease): a call starts only if it can end
 * before it, time limit included. A refresh that would have to wait past it, for the gate or for
 * its next retry, ends with {@link RefreshDeadlineException} instead of calling the provider after
 * the lease was handed to someone else.
 */
public class OAuthRefreshClient {

    private final TokenEndpoint endpoint;
    private final WebClient webClient;
    private final JsonMapper json;
    private final CircuitBreakerRegistry circuitBreakers;
    private final RateLimiterRegistry rateLimiters;
    private final RetryRegistry retries;
    private final TimeLimiter timeLimiter;
    private final MeterRegistry meters;
    private final Map<String, AtomicReference<Instant>> retryAfterGates = new ConcurrentHashMap<>();

    public OAuthRefreshClient(TokenEndpoint endpoint, WebClient.Builder webClientBuilder, JsonMapper json, MeterRegistry meters) {
        this.endpoint = endpoint;
        this.json = json;
        this.meters = meters;
        ConnectionProvider pool = ConnectionProvider.builder(endpoint.provider() + "-token")
                .maxConnections(endpoint.maxConnections())
                .pendingAcquireMaxCount(endpoint.maxConnections() * 10)
                .pendingAcquireTimeout(endpoint.timeLimit())
                // below the keep-alive timeouts servers commonly use (Jetty 30 s, nginx 75 s, load balancers 60 s):
                // a pooled connection the server is closing at the moment it is reused fails the call (seen in
                // MultiInstanceIT as a burst of premature closes that opened the breaker after a quiet 30 s)
                .maxIdleTime(Duration.ofSeconds(20))
                .evictInBackground(Duration.ofSeconds(10))
                .maxLifeTime(Duration.ofMinutes(5))
                .build();
        this.webClient = webClientBuilder.clone()
                .clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) endpoint.connectTimeout().toMillis())
                        .responseTimeout(endpoint.timeLimit())))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(64 * 1024))
                // one call per refresh: timed by refresher.provider.latency below, not by an observation (and span) each
                .observationRegistry(ObservationRegistry.NOOP)
                .build();
        this.circuitBreakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(endpoint.circuitBreaker().failureRateThreshold())
                .slidingWindowSize(endpoint.circuitBreaker().slidingWindowSize())
                .minimumNumberOfCalls(endpoint.circuitBreaker().minimumCalls())
                .waitDurationInOpenState(endpoint.circuitBreaker().waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(2)
                // a dead refresh token, or a call not made for lack of time, says nothing about the provider's health
                .ignoreException(error -> error instanceof ProviderRefreshException e && e.permanent()
                        || error instanceof RefreshDeadlineException)
                .build());
        this.rateLimiters = RateLimiterRegistry.of(RateLimiterConfig.custom()
                .limitForPeriod(endpoint.rateLimit().requestsPerSecond())
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(endpoint.rateLimit().maxWait())
                .build());
        this.retries = RetryRegistry.of(RetryConfig.custom()
                .maxAttempts(endpoint.retry().maxAttempts())
                .intervalBiFunction(backoff())
                .retryOnException(OAuthRefreshClient::retryable)
                .failAfterMaxAttempts(false)
                .build());
        this.timeLimiter = TimeLimiter.of(TimeLimiterConfig.custom().timeoutDuration(endpoint.timeLimit()).build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(circuitBreakers).bindTo(meters);
        TaggedRateLimiterMetrics.ofRateLimiterRegistry(rateLimiters).bindTo(meters);
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
    }

    /**
     * Refreshes; fails with {@link ProviderRefreshException} (or the breaker's/limiter's refusals)
     * when the provider did not grant it, and with {@link RefreshDeadlineException} when no call
     * could end before {@code deadline}.
     */
    public Mono<RefreshedTokens> refresh(String region, String refreshToken, Instant deadline) {
        java.net.URI tokenUrl = endpoint.tokenUrls().get(region);
        if (tokenUrl == null) {
            return Mono.error(new ProviderRefreshException(true, "unknown_region", null,
                    "no " + endpoint.provider() + " token endpoint for region " + region));
        }
        String name = instanceName(region);
        CircuitBreaker breaker = circuitBreakers.circuitBreaker(name);
        RateLimiter limiter = rateLimiters.rateLimiter(name);
        Retry retry = retries.retry(name);
        return Mono.defer(() -> {
            // what the provider last answered to this refresh, for a deadline that stops its retries
            AtomicReference<ProviderRefreshException> lastAnswer = new AtomicReference<>();
            Mono<RefreshedTokens> timedCall = Mono.defer(() -> call(region, tokenUrl, refreshToken))
                    .transformDeferred(TimeLimiterOperator.of(timeLimiter))
                    .onErrorMap(TimeoutException.class, e -> new ProviderRefreshException(false, "timeout", null,
                            endpoint.provider() + " did not answer in time"))
                    .doOnError(ProviderRefreshException.class, lastAnswer::set);
            // the quota's permit is taken after the Retry-After wait, and the deadline checked again after the permit's
            Mono<RefreshedTokens> permittedCall = Mono.defer(() -> requireTimeBefore(deadline, Duration.ZERO, lastAnswer.get()))
                    .then(timedCall)
                    .transformDeferred(RateLimiterOperator.of(limiter));
            return Mono.defer(() -> waitForGateWithin(region, deadline, lastAnswer.get()))
                    .then(permittedCall)
                    .transformDeferred(CircuitBreakerOperator.of(breaker))
                    .transformDeferred(RetryOperator.of(retry));
        });
    }

    /** The breaker of a region, for health and tests. */
    public CircuitBreaker.State circuitState(String region) {
        return circuitBreakers.circuitBreaker(instanceName(region)).getState();
    }

    public String provider() {
        return endpoint.provider();
    }

    /** Resilience4j instances (and their metrics' {@code name} tag) are per provider and region: {@code google-GLOBAL}. */
    private String instanceName(String region) {
        return endpoint.provider() + "-" + region;
    }

    private Mono<RefreshedTokens> call(String region, java.net.URI tokenUrl, String refreshToken) {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("grant_type", "refresh_token");
        form.add("refresh_token", refreshToken);
        form.add("client_id", endpoint.clientId());
        form.add("client_secret", endpoint.clientSecret());
        endpoint.extraForm().forEach(form::add);
        Timer.Sample sample = Timer.start(meters);
        return webClient.post().uri(tokenUrl)
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .accept(MediaType.APPLICATION_JSON)
                .body(BodyInserters.fromFormData(form))
                .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                        .map(body -> toTokens(region, response, body)))
                .onErrorMap(WebClientRequestException.class, e -> new ProviderRefreshException(false, "io_error", null,
                        endpoint.provider() + " unreachable: " + e.getClass().getSimpleName()))
                .doOnEach(signal -> {
                    if (signal.isOnNext() || signal.isOnError()) {
                        String outcome = signal.isOnNext() ? "success"
                                : signal.getThrowable() instanceof ProviderRefreshException e ? e.errorCode() : "error";
                        sample.stop(meters.timer("refresher.provider.latency", "provider", endpoint.provider(), "region", region,
                                "outcome", outcome));
                    }
                });
    }

    private RefreshedTokens toTokens(String region, ClientResponse response, String body) {
        int status = response.statusCode().value();
        if (status == 429 || status >= 500) {
            Duration retryAfter = retryAfter(response);
            if (retryAfter != null) {
                closeGate(region, retryAfter);
            }
            throw new ProviderRefreshException(false, status == 429 ? "rate_limited" : "server_error", retryAfter,
                    endpoint.provider() + " answered " + status);
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            throw new ProviderRefreshException(false, "malformed_response", null, endpoint.provider() + "'s answer is not JSON");
        }
        if (status != 200) {
            String error = node.path("error").isString() ? node.get("error").asString() : null;
            if (error != null && !error.matches("[a-z_]{1,64}")) {
                // not an OAuth error code: never let it into metric tags, logs or the database
                error = null;
            }
            boolean permanent = error != null && endpoint.permanentErrors().contains(error);
            throw new ProviderRefreshException(permanent, error == null ? "http_" + status : error, null,
                    endpoint.provider() + " refused the refresh (" + status + ")");
        }
        String access = node.path("access_token").isString() ? node.get("access_token").asString() : null;
        long expiresIn = node.path("expires_in").asLong(0);
        if (access == null || expiresIn <= 0 || expiresIn > 86_400) {
            throw new ProviderRefreshException(false, "malformed_response", null, endpoint.provider() + "'s token response is incomplete");
        }
        String refresh = node.path("refresh_token").isString() ? node.get("refresh_token").asString() : null;
        long refreshLifetime = node.path("refresh_token_expires_in").isNumber() ? node.get("refresh_token_expires_in").asLong() : 0;
        // a lifetime beyond ten years is not believed (account-service refuses it too)
        Duration refreshExpiresIn = refreshLifetime > 0 && refreshLifetime <= 3660L * 86_400 ? Duration.ofSeconds(refreshLifetime) : null;
        return new RefreshedTokens(access, refresh, Duration.ofSeconds(expiresIn), refreshExpiresIn);
    }

    /** Waits for the region's Retry-After gate, unless the call could then not end before the deadline. */
    private Mono<Void> waitForGateWithin(String region, Instant deadline, ProviderRefreshException lastAnswer) {
        Instant now = Instant.now();
        Instant opens = gate(region).get();
        Duration wait = opens.isAfter(now) ? Duration.between(now, opens) : Duration.ZERO;
        return requireTimeBefore(deadline, wait, lastAnswer).then(wait.isZero() ? Mono.empty() : Mono.delay(wait).then());
    }

    /**
     * Fails with {@link RefreshDeadlineException} when a call started after {@code wait} could not
     * end before the deadline. It carries what the provider last answered to this refresh, if it did, or
     * the Retry-After that stands in the way.
     */
    private Mono<Void> requireTimeBefore(Instant deadline, Duration wait, ProviderRefreshException lastAnswer) {
        if (!Instant.now().plus(wait).plus(endpoint.timeLimit()).isAfter(deadline)) {
            return Mono.empty();
        }
        return Mono.error(lastAnswer != null ? new RefreshDeadlineException(lastAnswer, wait)
                : wait.isZero() ? new RefreshDeadlineException("lease_ending", null)
                : new RefreshDeadlineException("rate_limited", wait));
    }

    private void closeGate(String region, Duration retryAfter) {
        Instant until = Instant.now().plus(retryAfter);
        gate(region).accumulateAndGet(until, (current, next) -> next.isAfter(current) ? next : current);
    }

    private AtomicReference<Instant> gate(String region) {
        return retryAfterGates.computeIfAbsent(region, r -> new AtomicReference<>(Instant.EPOCH));
    }

    /**
     * Exponential backoff with jitter. The provider's Retry-After is not waited here but at the region's
     * gate, at the start of the next attempt, where the caller's deadline is known: a wait that
     * would outlast the lease is not made at all.
     */
    private IntervalBiFunction<Object> backoff() {
        TokenEndpointResilience.Retry retry = endpoint.retry();
        return (attempt, result) -> {
            double exponential = retry.initialBackoff().toMillis() * Math.pow(retry.multiplier(), attempt - 1);
            double jittered = exponential * (1 + retry.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1));
            return (long) Math.min(jittered, retry.maxBackoff().toMillis());
        };
    }

    private static boolean retryable(Throwable error) {
        return error instanceof ProviderRefreshException e && !e.permanent();
    }

    private static Duration retryAfter(ClientResponse response) {
        String value = response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER);
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.clamp(Long.parseLong(value.trim()), 0, 3600));
        } catch (NumberFormatException httpDate) {
            return null;
        }
    }
}
