package com.adsconnect.refresher.refresh;

import com.adsconnect.refresher.accountservice.AccountServiceClient;
import com.adsconnect.refresher.amazon.AmazonRefreshException;
import com.adsconnect.refresher.amazon.AmazonTokenClient;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * One refresh: lease the generation named by the event, refresh at Amazon, report the outcome
 * for that generation. Duplicate deliveries (same event id) and stale events (a generation that
 * moved on, or is already taken) end without an Amazon call. Logs name connections and outcomes,
 * never tokens.
 */
@Component
public class RefreshWorker {

    /** How an event ended. {@code RETRY} means: the failure was reported as transient; try again later. */
    public enum Outcome { REFRESHED, REAUTH_REQUIRED, RETRY, STALE, DUPLICATE }

    private static final Logger log = LoggerFactory.getLogger(RefreshWorker.class);

    private final AccountServiceClient accountService;
    private final AmazonTokenClient amazon;
    private final MeterRegistry meters;
    private final Set<String> seenEvents;
    private final DistributionSummary timeToExpiry;

    RefreshWorker(AccountServiceClient accountService, AmazonTokenClient amazon, MeterRegistry meters, RefresherProperties properties) {
        this.accountService = accountService;
        this.amazon = amazon;
        this.meters = meters;
        int capacity = properties.dedupCapacity();
        this.seenEvents = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        }));
        this.timeToExpiry = DistributionSummary.builder("refresher.time_to_expiry")
                .description("seconds the access token still had when its refresh started").baseUnit("seconds")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    public Mono<Outcome> handle(TokenExpiringEvent event) {
        if (!seenEvents.add(event.eventId())) {
            return Mono.just(count(event, Outcome.DUPLICATE));
        }
        Mono<Long> generation = event.retries() == 0 ? Mono.just(event.generation()) : accountService.claim(event.connectionId());
        return generation
                .flatMap(current -> accountService.lease(event.connectionId(), current))
                .flatMap(lease -> {
                    if (lease.accessTokenExpiresAt() != null) {
                        timeToExpiry.record(Math.max(0, Duration.between(Instant.now(), lease.accessTokenExpiresAt()).toSeconds()));
                    }
                    return refresh(event, lease);
                })
                .defaultIfEmpty(Outcome.STALE)
                .map(outcome -> count(event, outcome))
                .doOnError(error -> seenEvents.remove(event.eventId()));
    }

    private Mono<Outcome> refresh(TokenExpiringEvent event, AccountServiceClient.Lease lease) {
        return amazon.refresh(lease.region(), lease.refreshToken())
                .flatMap(tokens -> accountService.reportSuccess(lease.connectionId(), lease.generation(), tokens.accessToken(),
                                tokens.expiresIn().toSeconds(),
                                tokens.refreshToken() != null && !tokens.refreshToken().equals(lease.refreshToken()) ? tokens.refreshToken() : null)
                        .thenReturn(Outcome.REFRESHED))
                .onErrorResume(error -> {
                    boolean permanent = error instanceof AmazonRefreshException e && e.permanent();
                    String code = errorCode(error);
                    log.info("refresh of connection {} (generation {}) failed: {}", lease.connectionId(), lease.generation(), code);
                    return accountService.reportFailure(lease.connectionId(), lease.generation(), permanent, code)
                            .thenReturn(permanent ? Outcome.REAUTH_REQUIRED : Outcome.RETRY);
                });
    }

    private static String errorCode(Throwable error) {
        if (error instanceof AmazonRefreshException e) {
            return e.errorCode();
        }
        if (error instanceof CallNotPermittedException) {
            return "circuit_open";
        }
        if (error instanceof RequestNotPermitted) {
            return "rate_limited_locally";
        }
        return "refresh_error";
    }

    private Outcome count(TokenExpiringEvent event, Outcome outcome) {
        meters.counter("refresher.refreshes", "outcome", outcome.name().toLowerCase(), "region", event.region()).increment();
        return outcome;
    }
}
