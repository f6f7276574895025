package com.adsconnect.account.refresh;

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

    RefreshScheduler(RefreshCoordinator coordinator, RefreshProperties properties) {
        this.coordinator = coordinator;
        this.properties = properties;
    }

    @Scheduled(initialDelayString = "${token-vault.scheduler-initial-delay:5s}", fixedDelayString = "${token-vault.scheduler-interval:5s}")
    Mono<Void> run() {
        int batch = properties.schedulerBatchSize();
        return coordinator.claimDue(batch)
                .expand(claimed -> claimed >= batch ? coordinator.claimDue(batch) : Mono.empty())
                .take(MAX_BATCHES_PER_RUN)
                .reduce(0L, Long::sum)
                .doOnNext(claimed -> {
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
}
