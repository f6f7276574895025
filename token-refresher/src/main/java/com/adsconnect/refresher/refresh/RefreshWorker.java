package com.adsconnect.refresher.refresh;

import com.adsconnect.refresher.accountservice.AccountServiceClient;
import com.adsconnect.refresher.accountservice.AccountServiceClient.ReportResult;
import com.adsconnect.refresher.provider.ProviderRefreshException;
import com.adsconnect.refresher.provider.RefreshDeadlineException;
import com.adsconnect.refresher.provider.RefreshedTokens;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * One refresh: lease the generation named by the event, refresh at Amazon before the lease ends,
 * report the outcome for that generation. Duplicate deliveries (same event id) and stale events
 * (a generation that moved on, or is already taken) end without an Amazon call. Logs name
 * connections and outcomes, never tokens.
 *
 * <p>Only what Amazon answered (or the refusals of our own breaker and quota in front of it) is
 * reported as a failure. Once Amazon granted a refresh, its tokens
 * are reported until account-service has stored them (or answered that a newer outcome is stored):
 * where Amazon rotated the refresh token, the report holds the only valid one. account-service keeps
 * such a report even after the lease ran out, so retries go on past it.
 */
@Component
public class RefreshWorker implements TokenExpiringHandler {

    /**
     * How an event ended. {@code RETRY} means: the failure was reported as transient; try again
     * later. {@code SUPERSEDED}: Amazon granted the refresh, but account-service had already stored a
     * newer outcome, so the report changed nothing. {@code LEASE_ENDING}: the lease was too close to
     * its end for a call to Amazon (the event waited long); nothing is reported, since nothing failed
     * at Amazon, and the connection is claimed again when the lease runs out.
     */
    public enum Outcome { REFRESHED, REAUTH_REQUIRED, RETRY, STALE, DUPLICATE, SUPERSEDED, LEASE_ENDING }

    private static final Logger log = LoggerFactory.getLogger(RefreshWorker.class);

    private final AccountServiceClient accountService;
    private final TokenClients providers;
    private final MeterRegistry meters;
    private final RefresherProperties properties;
    private final Set<String> seenEvents;
    private final DistributionSummary timeToExpiry;
    private final Set<CompletableFuture<Outcome>> detachedRefreshes = ConcurrentHashMap.newKeySet();
    private final AtomicInteger successReportsPending = new AtomicInteger();

    RefreshWorker(AccountServiceClient accountService, TokenClients providers, MeterRegistry meters, RefresherProperties properties) {
        this.accountService = accountService;
        this.providers = providers;
        this.meters = meters;
        this.properties = properties;
        int capacity = properties.dedupCapacity();
        this.seenEvents = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        }));
        Gauge.builder("refresher.success_reports.pending", successReportsPending, AtomicInteger::get)
                .description("granted refreshes whose report account-service has not answered yet").register(meters);
        this.timeToExpiry = DistributionSummary.builder("refresher.time_to_expiry")
                .description("seconds the access token still had when its refresh started").baseUnit("seconds")
                .publishPercentiles(0.5, 0.99).register(meters);
    }

    @Override
    public Mono<Outcome> handle(TokenExpiringEvent event) {
        return Mono.defer(() -> {
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
                        return detached(refresh(lease));
                    })
                    .defaultIfEmpty(Outcome.STALE)
                    .map(outcome -> count(event, outcome))
                    // not handled after all (failed, or cancelled by a consumer restart): its redelivery is no duplicate
                    .doOnError(error -> seenEvents.remove(event.eventId()))
                    .doOnCancel(() -> seenEvents.remove(event.eventId()));
        });
    }

    /**
     * Runs a leased refresh to its end whatever happens to the caller: once the lease is taken, the
     * call to Amazon and the report of its answer are not cancelled by a consumer restart, since an
     * answer Amazon gave (a rotated refresh token above all) must reach account-service.
     */
    private Mono<Outcome> detached(Mono<Outcome> refresh) {
        // the caller's context (its trace above all) goes along
        return Mono.deferContextual(context -> {
            CompletableFuture<Outcome> running = refresh.contextWrite(context).toFuture();
            detachedRefreshes.add(running);
            running.whenComplete((outcome, error) -> detachedRefreshes.remove(running));
            return Mono.fromFuture(running, true);
        });
    }

    @Override
    public int refreshesInFlight() {
        return detachedRefreshes.size();
    }

    /** The provider's answer, kept apart from what happens to the report afterwards. */
    private record Answer(RefreshedTokens tokens, Throwable failure) {
    }

    private Mono<Outcome> refresh(AccountServiceClient.Lease lease) {
        Instant deadline = lease.leaseExpiresAt() == null ? Instant.now().plus(properties.leaseMargin())
                : lease.leaseExpiresAt().minus(properties.leaseMargin());
        return providers.refresh(lease.provider(), lease.region(), lease.refreshToken(), deadline)
                .map(tokens -> new Answer(tokens, null))
                .onErrorResume(error -> Mono.just(new Answer(null, error)))
                .flatMap(answer -> {
                    if (answer.tokens() != null) {
                        return reportSuccess(lease, answer.tokens());
                    }
                    if (answer.failure() instanceof RefreshDeadlineException ending && !ending.providerAnswered()
                            && "lease_ending".equals(ending.errorCode())) {
                        log.warn("refresh of connection {} (generation {}) not attempted: its lease ends before a call could; it is "
                                + "claimed again then (token-vault.lease-duration must leave room for the wait in Kafka, "
                                + "the provider's time-limit and refresher.lease-margin)", lease.connectionId(), lease.generation());
                        return Mono.just(Outcome.LEASE_ENDING);
                    }
                    return reportFailure(lease, answer.failure());
                });
    }

    /**
     * Reports a granted refresh until account-service answers: through its outages (with backoff),
     * past the end of the lease. Only a refusal that no retry can change (a 4xx other than 409)
     * ends it, and then the tokens are lost: logged as an error, without them.
     */
    private Mono<Outcome> reportSuccess(AccountServiceClient.Lease lease, RefreshedTokens tokens) {
        return Mono.defer(() -> {
            successReportsPending.incrementAndGet();
            return deliverSuccess(lease, tokens).doFinally(signal -> successReportsPending.decrementAndGet());
        });
    }

    private Mono<Outcome> deliverSuccess(AccountServiceClient.Lease lease, RefreshedTokens tokens) {
        String rotated = tokens.refreshToken() != null && !tokens.refreshToken().equals(lease.refreshToken()) ? tokens.refreshToken() : null;
        return accountService.reportSuccess(lease.connectionId(), lease.generation(), tokens.accessToken(), tokens.expiresIn().toSeconds(), rotated,
                        tokens.refreshTokenExpiresIn())
                .retryWhen(Retry.backoff(Long.MAX_VALUE, properties.reportRetryBackoff())
                        .maxBackoff(properties.reportRetryMaxBackoff())
                        .filter(AccountServiceClient::worthRetrying)
                        .doBeforeRetry(retry -> {
                            meters.counter("refresher.success_report.retries").increment();
                            if (retry.totalRetries() == 0) {
                                log.warn("success report for connection {} (generation {}) not delivered ({}); retrying until it is",
                                        lease.connectionId(), lease.generation(), retry.failure().toString());
                            }
                        }))
                .doOnError(error -> log.error("success report for connection {} (generation {}) refused ({}); its tokens are lost",
                        lease.connectionId(), lease.generation(), error.toString()))
                .map(result -> {
                    if (result == ReportResult.STALE) {
                        log.info("refresh of connection {} (generation {}) succeeded, but a newer outcome was stored already",
                                lease.connectionId(), lease.generation());
                        return Outcome.SUPERSEDED;
                    }
                    return Outcome.REFRESHED;
                });
    }

    private Mono<Outcome> reportFailure(AccountServiceClient.Lease lease, Throwable error) {
        boolean permanent = error instanceof ProviderRefreshException e && e.permanent();
        String code = errorCode(error);
        Duration retryAfter = error instanceof ProviderRefreshException e ? e.retryAfter()
                : error instanceof RefreshDeadlineException e ? e.retryAfter() : null;
        log.info("refresh of connection {} (generation {}) failed: {}", lease.connectionId(), lease.generation(), code);
        return accountService.reportFailure(lease.connectionId(), lease.generation(), permanent, code, retryAfter)
                .thenReturn(permanent ? Outcome.REAUTH_REQUIRED : Outcome.RETRY);
    }

    private static String errorCode(Throwable error) {
        if (error instanceof ProviderRefreshException e) {
            return e.errorCode();
        }
        if (error instanceof RefreshDeadlineException e) {
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
        meters.counter("refresher.refreshes", "outcome", outcome.name().toLowerCase(), "provider", event.provider().toLowerCase(),
                "region", event.region()).increment();
        return outcome;
    }
}
