package com.adsconnect.account.retention;

import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.connection.ConnectionHistory;
import com.adsconnect.account.internal.TokenAccessAudit;
import com.adsconnect.account.notification.Notifications;
import com.adsconnect.account.user.UserPurge;
import java.time.Clock;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Erases deleted users' personal data and drops old audit events, webhook ids, connection
 * history entries and notifications. Every step is
 * idempotent, so several replicas running it at once do no harm.
 */
@Component
class RetentionJob {

    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

    private final RetentionProperties retention;
    private final UserPurge userPurge;
    private final AuditLog auditLog;
    private final ConnectionHistory connectionHistory;
    private final Notifications notifications;
    private final TokenAccessAudit tokenAccess;
    private final DatabaseClient db;
    private final Clock clock;

    RetentionJob(RetentionProperties retention, UserPurge userPurge, AuditLog auditLog, ConnectionHistory connectionHistory,
            Notifications notifications, TokenAccessAudit tokenAccess, DatabaseClient db, Clock clock) {
        this.tokenAccess = tokenAccess;
        this.retention = retention;
        this.userPurge = userPurge;
        this.auditLog = auditLog;
        this.connectionHistory = connectionHistory;
        this.notifications = notifications;
        this.db = db;
        this.clock = clock;
    }

    /** Spring subscribes to this one publisher on every run: the cut-offs are computed per subscription. */
    @Scheduled(initialDelayString = "${retention.initial-delay:5m}", fixedDelayString = "${retention.interval:1h}")
    Mono<Void> run() {
        return Mono.defer(this::runOnce);
    }

    private Mono<Void> runOnce() {
        var now = clock.instant();
        return userPurge.purgeDeletedBefore(now.minus(retention.deletedUserPurgeAfter()))
                .zipWith(auditLog.deleteOlderThan(now.minus(retention.auditEvents())))
                .zipWith(db.sql("DELETE FROM processed_webhooks WHERE received_at < :cutoff")
                        .bind("cutoff", now.minus(retention.processedWebhooks()).atOffset(ZoneOffset.UTC))
                        .fetch().rowsUpdated())
                .zipWith(connectionHistory.deleteOlderThan(now.minus(retention.connectionHistory()))
                        .zipWith(notifications.deleteOlderThan(now.minus(retention.notifications()))))
                .flatMap(counts -> tokenAccess.deleteOlderThan(now.minus(retention.tokenAccessEvents()), now.minus(retention.auditEvents()))
                        .thenReturn(counts))
                .doOnNext(counts -> log.info("retention: purged {} users, deleted {} audit events, {} webhook ids, "
                                + "{} connection history entries and {} notifications",
                        counts.getT1().getT1().getT1(), counts.getT1().getT1().getT2(), counts.getT1().getT2(),
                        counts.getT2().getT1(), counts.getT2().getT2()))
                .onErrorResume(error -> {
                    log.warn("retention run failed; next run retries: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }
}
