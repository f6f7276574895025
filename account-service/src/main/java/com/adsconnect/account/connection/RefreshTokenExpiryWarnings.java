package com.adsconnect.account.connection;

import com.adsconnect.account.notification.NotificationProperties;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Warns users whose refresh token ends within {@code notifications.refresh-token-expiry-warning}
 * (where the provider says when: Google's time-based access), so they can reconnect before the
 * connection stops working. Each connection is warned once per end date: the notification's key
 * names it, and connections already warned are not read again. Replicas skip each other's rows
 * ({@code SKIP LOCKED}) and the key makes a second warning impossible anyway.
 */
@Component
public class RefreshTokenExpiryWarnings {

    private static final Logger log = LoggerFactory.getLogger(RefreshTokenExpiryWarnings.class);
    private static final int BATCH = 200;

    private final DatabaseClient db;
    private final ConnectionLifecycle lifecycle;
    private final TransactionalOperator transaction;
    private final NotificationProperties properties;
    private final Clock clock;

    RefreshTokenExpiryWarnings(DatabaseClient db, ConnectionLifecycle lifecycle, TransactionalOperator transaction,
            NotificationProperties properties, Clock clock) {
        this.db = db;
        this.lifecycle = lifecycle;
        this.transaction = transaction;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(initialDelayString = "${notifications.refresh-token-expiry-initial-delay:3m}",
            fixedDelayString = "${notifications.refresh-token-expiry-interval:1h}")
    Mono<Void> run() {
        return Mono.defer(() -> warnDue(clock.instant()))
                .doOnNext(warned -> {
                    if (warned > 0) {
                        log.info("refresh token expiry: warned {} connections", warned);
                    }
                })
                .onErrorResume(error -> {
                    log.warn("refresh token expiry warnings failed; the next run retries: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** Where a batch ended: the next one starts after it (a user who turned alerts off is not read again in this run). */
    private record Position(Instant expiresAt, java.util.UUID id, int read) {
    }

    /** Warns, in batches of one transaction each, every connection due at {@code now}; emits how many were read. */
    public Mono<Long> warnDue(Instant now) {
        return warnBatch(now, null)
                .expand(position -> position.read() == BATCH ? warnBatch(now, position) : Mono.empty())
                .map(position -> (long) position.read())
                .reduce(0L, Long::sum);
    }

    private Mono<Position> warnBatch(Instant now, Position after) {
        Mono<Position> work = db.sql("SELECT " + ConnectionStore.COLUMNS + """
                         FROM connections c
                        WHERE status IN ('ACTIVE', 'REFRESH_FAILING') AND refresh_token_expires_at IS NOT NULL
                          AND refresh_token_expires_at > :now AND refresh_token_expires_at <= :until
                          AND (refresh_token_expires_at, id) > (:afterExpiresAt, :afterId)
                          AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = c.user_id
                                AND n.dedup_key = :keyPrefix || c.id || ':'
                                    || to_char(c.refresh_token_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'))
                        ORDER BY refresh_token_expires_at, id
                        LIMIT :limit
                        FOR UPDATE SKIP LOCKED""")
                .bind("keyPrefix", ConnectionLifecycle.REFRESH_TOKEN_EXPIRING_KEY)
                .bind("now", now.atOffset(ZoneOffset.UTC))
                .bind("until", now.plus(properties.refreshTokenExpiryWarning()).atOffset(ZoneOffset.UTC))
                .bind("afterExpiresAt", (after == null ? now : after.expiresAt()).atOffset(ZoneOffset.UTC))
                .bind("afterId", after == null ? new java.util.UUID(0, 0) : after.id())
                .bind("limit", BATCH)
                .map(ConnectionStore::toConnection)
                .all()
                .collectList()
                .flatMap(due -> reactor.core.publisher.Flux.fromIterable(due)
                        .concatMap(lifecycle::refreshTokenExpiring)
                        .then(Mono.just(due.isEmpty() ? new Position(now, null, 0)
                                : new Position(due.getLast().refreshTokenExpiresAt(), due.getLast().id(), due.size()))));
        return transaction.transactional(work);
    }
}
