package com.adsconnect.account.refresh;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Claims due connections every {@code token-vault.scheduler-interval} on every replica; SKIP
 * LOCKED and the lease column keep replicas from claiming the same connection twice.
 */
@Component
class RefreshScheduler {

    private static final Logger log = LoggerFactory.getLogger(RefreshScheduler.class);
    /** A run stops after this many batches, so one replica cannot monopolise the backlog. */
    private static final int MAX_BATCHES_PER_RUN = 20;

    private final RefreshCoordinator coordinator;
    private final RefreshProperties properties;
    private final Counter claims;
    private final AtomicLong inFlight = new AtomicLong();

    RefreshScheduler(RefreshCoordinator coordinator, RefreshProperties properties, MeterRegistry meters) {
        this.coordinator = coordinator;
        this.properties = properties;
        this.claims = Counter.builder("refresh.scheduler.claims")
                .description("Connections this replica's scheduler claimed for a refresh").register(meters);
        Gauge.builder("refresh.scheduler.in_flight", inFlight, AtomicLong::get)
                .description("Claims not reported yet, as the scheduler last counted them (all replicas)").register(meters);
    }

    /** Spring subscribes to this one publisher on every run: everything is computed per subscription. */
    @Scheduled(initialDelayString = "${token-vault.scheduler-initial-delay:5s}", fixedDelayString = "${token-vault.scheduler-interval:1s}")
    Mono<Void> run() {
        // claims beyond what the refreshers can finish within a lease would only expire and be claimed again
        return Mono.defer(coordinator::claimsInFlight)
                .doOnNext(inFlight::set)
                .flatMap(unreported -> claimUpTo(properties.maxInFlight() - unreported, MAX_BATCHES_PER_RUN))
                .doOnNext(claimed -> {
                    claims.increment(claimed);
                    if (claimed > 0) {
                        log.debug("claimed {} connections for refresh", claimed);
                    }
                })
                .onErrorResume(error -> {
                    log.warn("refresh scheduling run failed; the next run retries: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }

    private Mono<Long> claimUpTo(long room, int batches) {
        if (room <= 0 || batches == 0) {
            return Mono.just(0L);
        }
        int ask = (int) Math.min(properties.schedulerBatchSize(), room);
        return coordinator.claimDue(ask)
                .flatMap(claimed -> claimed < ask ? Mono.just(claimed)
                        : claimUpTo(room - claimed, batches - 1).map(more -> claimed + more));
    }
}
