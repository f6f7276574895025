package com.adsconnect.account.user;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.notification.Notifications;
import java.time.Instant;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Erases a deleted user's personal data after the retention period: profile fields, preferences
 * and their history, notifications and their deliveries, the Slack webhook, and the summaries in the audit trail. The id stays as a tombstone so that
 * late webhooks cannot recreate the user.
 */
@Service
public class UserPurge {

    private static final int BATCH = 100;

    private final UserStore users;
    private final AuditLog auditLog;
    private final Notifications notifications;
    private final DatabaseClient db;
    private final TransactionalOperator transaction;

    UserPurge(UserStore users, AuditLog auditLog, Notifications notifications, DatabaseClient db, TransactionalOperator transaction) {
        this.users = users;
        this.auditLog = auditLog;
        this.notifications = notifications;
        this.db = db;
        this.transaction = transaction;
    }

    /** Purges users deleted before the cutoff, one transaction each; emits how many. */
    public Mono<Long> purgeDeletedBefore(Instant cutoff) {
        return users.deletedBeforeAndNotPurged(cutoff, BATCH)
                .concatMap(this::purge)
                .filter(Boolean::booleanValue)
                .count();
    }

    private Mono<Boolean> purge(String userId) {
        Mono<Boolean> work = users.erasePersonalData(userId)
                .flatMap(rows -> rows == 0
                        ? Mono.just(false)
                        : db.sql("DELETE FROM user_preference_history WHERE user_id = :id").bind("id", userId).fetch().rowsUpdated()
                                .then(db.sql("DELETE FROM user_preferences WHERE user_id = :id").bind("id", userId).fetch().rowsUpdated())
                                .then(notifications.erase(userId))
                                .then(auditLog.scrubSummaries(userId))
                                .then(auditLog.record(AuditEntry.of(userId, Actor.system("retention"), "user.purged", RequestOrigin.NONE)))
                                .thenReturn(true));
        return transaction.transactional(work);
    }
}
