package com.adsconnect.account.notification;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * The delivery queue in PostgreSQL ({@code notification_deliveries}). A claim takes due rows into
 * batches, one per user, channel and kind, under a lease; the sender reports each batch sent,
 * skipped, failed for good, or to be retried later. A batch keeps its id (and so its message's
 * Message-ID) through every retry; rows queued after it was formed make a batch of their own.
 *
 * <p>Interleavings: claims are serialised across replicas by a transaction-scoped advisory lock (a
 * replica that does not get it skips the round), so two replicas never split or share a batch. A
 * sender that dies after claiming leaves the lease to expire, and the batch is claimed again with
 * the same id. A sender that dies after the server accepted the message but before reporting it
 * sends it again, with the same Message-ID, which mail clients show once; that window is the only
 * way a message goes out twice.
 */
@Component
class DeliveryQueue {

    /** An arbitrary constant: "notification claims" among the service's advisory locks. */
    private static final long CLAIM_LOCK = 0x4e4f5449_00000001L;

    enum Channel { EMAIL, SLACK }

    enum Kind { ALERT, WEEKLY_REPORT }

    /** Rows claimed together, sent as one message. */
    record Batch(UUID id, String userId, Channel channel, Kind kind, int attempts, int size) {
    }

    /** An alert in a batch. */
    record Alert(NotificationType type, String title, String body, String link, UUID connectionId, Instant createdAt) {
    }

    /** What is waiting on one channel: how many rows, and how long the oldest has waited. */
    record Backlog(long pending, double oldestSeconds) {
    }

    private final DatabaseClient db;
    private final TransactionalOperator transaction;

    DeliveryQueue(DatabaseClient db, TransactionalOperator transaction) {
        this.db = db;
        this.transaction = transaction;
    }

    /**
     * Claims up to {@code limit} batches: first batches whose retry is due, then new batches of rows
     * whose oldest row has waited {@code window} (so that a burst lands in one). Empty when another
     * replica is claiming.
     */
    Mono<List<Batch>> claim(int limit, Duration window, Duration lease) {
        double leaseSeconds = lease.toMillis() / 1000.0;
        Mono<List<Batch>> work = db.sql("SELECT pg_try_advisory_xact_lock(:key) AS locked").bind("key", CLAIM_LOCK)
                .map(row -> row.get("locked", Boolean.class)).one()
                .flatMap(locked -> !locked ? Mono.just(List.<Batch>of()) : db.sql("""
                                UPDATE notification_deliveries
                                   SET lease_expires_at = now() + make_interval(secs => :lease), attempts = attempts + 1
                                 WHERE state = 'PENDING' AND batch_id IN (
                                       SELECT batch_id FROM notification_deliveries
                                        WHERE state = 'PENDING' AND batch_id IS NOT NULL AND next_attempt_at <= now()
                                          AND (lease_expires_at IS NULL OR lease_expires_at <= now())
                                        GROUP BY batch_id
                                        LIMIT :limit)
                                RETURNING batch_id, user_id, channel, kind, attempts""")
                        .bind("lease", leaseSeconds).bind("limit", limit)
                        .map(DeliveryQueue::claimed)
                        .all().collectList()
                        .flatMap(retries -> db.sql("""
                                        WITH due AS MATERIALIZED (
                                            SELECT user_id, channel, kind, gen_random_uuid() AS batch_id FROM (
                                                SELECT user_id, channel, kind FROM notification_deliveries
                                                 WHERE state = 'PENDING' AND batch_id IS NULL AND next_attempt_at <= now()
                                                 GROUP BY user_id, channel, kind
                                                HAVING min(created_at) <= now() - make_interval(secs => :window)
                                                 LIMIT :limit) groups)
                                        UPDATE notification_deliveries d
                                           SET batch_id = due.batch_id, lease_expires_at = now() + make_interval(secs => :lease),
                                               attempts = d.attempts + 1
                                          FROM due
                                         WHERE d.user_id = due.user_id AND d.channel = due.channel AND d.kind = due.kind
                                           AND d.state = 'PENDING' AND d.batch_id IS NULL
                                        RETURNING d.batch_id, d.user_id, d.channel, d.kind, d.attempts""")
                                .bind("window", window.toMillis() / 1000.0).bind("lease", leaseSeconds)
                                .bind("limit", Math.max(0, limit - distinctBatches(retries)))
                                .map(DeliveryQueue::claimed)
                                .all().collectList()
                                .map(fresh -> {
                                    List<Batch> rows = new ArrayList<>(retries);
                                    rows.addAll(fresh);
                                    return batches(rows);
                                })));
        return transaction.transactional(work);
    }

    /** One claimed row, as a batch of one. */
    private static Batch claimed(io.r2dbc.spi.Readable row) {
        return new Batch(row.get("batch_id", UUID.class), row.get("user_id", String.class), Channel.valueOf(row.get("channel", String.class)),
                Kind.valueOf(row.get("kind", String.class)), row.get("attempts", Integer.class), 1);
    }

    private static int distinctBatches(List<Batch> rows) {
        return (int) rows.stream().map(Batch::id).distinct().count();
    }

    /** Claimed rows merged into their batches. */
    private static List<Batch> batches(List<Batch> rows) {
        Map<UUID, Batch> batches = new LinkedHashMap<>();
        for (Batch row : rows) {
            batches.merge(row.id(), row, (a, b) -> new Batch(a.id(), a.userId(), a.channel(), a.kind(),
                    Math.max(a.attempts(), b.attempts()), a.size() + b.size()));
        }
        return List.copyOf(batches.values());
    }

    /** The alerts of a batch, oldest first. */
    Mono<List<Alert>> alerts(UUID batchId) {
        return db.sql("""
                        SELECT n.type, n.title, n.body, n.link, n.connection_id, n.created_at
                          FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
                         WHERE d.batch_id = :batchId AND d.state = 'PENDING'
                         ORDER BY n.id""")
                .bind("batchId", batchId)
                .map(row -> new Alert(typeOf(row.get("type", String.class)), row.get("title", String.class),
                        row.get("body", String.class), row.get("link", String.class), row.get("connection_id", UUID.class),
                        row.get("created_at", OffsetDateTime.class).toInstant()))
                .all().collectList();
    }

    /** The week a weekly-report batch reports on. */
    Mono<LocalDate> reportWeek(UUID batchId) {
        return db.sql("SELECT min(report_week) AS week FROM notification_deliveries WHERE batch_id = :batchId")
                .bind("batchId", batchId)
                .map(row -> row.get("week", LocalDate.class)).one();
    }

    /** Queues the weekly report of a user for a week, once (a second call, from any replica, does nothing). */
    Mono<Boolean> queueWeeklyReport(String userId, LocalDate week) {
        return db.sql("""
                        INSERT INTO notification_deliveries (user_id, channel, kind, report_week) VALUES (:userId, 'EMAIL', 'WEEKLY_REPORT', :week)
                        ON CONFLICT (user_id, channel, report_week) WHERE kind = 'WEEKLY_REPORT' DO NOTHING""")
                .bind("userId", userId).bind("week", week)
                .fetch().rowsUpdated().map(rows -> rows > 0);
    }

    Mono<Long> sent(UUID batchId) {
        return finish(batchId, "SENT", null);
    }

    Mono<Long> skipped(UUID batchId, String reason) {
        return finish(batchId, "SKIPPED", reason);
    }

    Mono<Long> failed(UUID batchId, String error) {
        return finish(batchId, "FAILED", error);
    }

    private Mono<Long> finish(UUID batchId, String state, String error) {
        return db.sql("""
                        UPDATE notification_deliveries SET state = :state, lease_expires_at = NULL, last_error = :error,
                               sent_at = CASE WHEN :state = 'SENT' THEN now() END
                         WHERE batch_id = :batchId AND state = 'PENDING'""")
                .bind("state", state)
                .bind("error", org.springframework.r2dbc.core.Parameter.fromOrEmpty(error, String.class))
                .bind("batchId", batchId)
                .fetch().rowsUpdated();
    }

    /** The batch failed for now: tried again, as the same message, at {@code nextAttemptAt}. */
    Mono<Long> retryLater(UUID batchId, Instant nextAttemptAt, String error) {
        return db.sql("""
                        UPDATE notification_deliveries SET lease_expires_at = NULL, last_error = :error, next_attempt_at = :at
                         WHERE batch_id = :batchId AND state = 'PENDING'""")
                .bind("error", error).bind("at", nextAttemptAt.atOffset(ZoneOffset.UTC)).bind("batchId", batchId)
                .fetch().rowsUpdated();
    }

    /** Pending rows per channel (every channel present). */
    Mono<Map<Channel, Backlog>> backlog() {
        return db.sql("""
                        SELECT channel, count(*) AS n, extract(epoch FROM now() - min(created_at))::float8 AS oldest
                          FROM notification_deliveries WHERE state = 'PENDING' GROUP BY channel""")
                .map(row -> Map.entry(Channel.valueOf(row.get("channel", String.class)),
                        new Backlog(row.get("n", Long.class), row.get("oldest", Double.class))))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .map(found -> {
                    Map<Channel, Backlog> all = new LinkedHashMap<>();
                    for (Channel channel : Channel.values()) {
                        all.put(channel, found.getOrDefault(channel, new Backlog(0, 0)));
                    }
                    return all;
                });
    }

    private static NotificationType typeOf(String type) {
        for (NotificationType candidate : NotificationType.values()) {
            if (candidate.type().equals(type)) {
                return candidate;
            }
        }
        throw new IllegalStateException("unknown notification type " + type);
    }
}
