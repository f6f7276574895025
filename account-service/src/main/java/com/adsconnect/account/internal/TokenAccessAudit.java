package com.adsconnect.account.internal;

import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.problem.ProblemTypes;
import com.adsconnect.account.tracing.Untraced;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Records every answer of the internal token API (which key, which user and connection, when, what
 * outcome) without a database write on the request path: answers are queued in memory and written
 * every {@code token-access-audit.flush-interval} in two statements (the events, and each user's
 * reads per service and day). A crash loses at most what was queued since the last flush. The
 * queue is bounded: when it is full (the database cannot keep up), the token API refuses with 503
 * and {@code Retry-After} before it serves a token, so no token is ever handed out unrecorded.
 */
@Component
public class TokenAccessAudit {

    private static final Logger log = LoggerFactory.getLogger(TokenAccessAudit.class);

    /** One answer of the token API. {@code userId} null for a request that did not name a valid one. */
    public record TokenAccess(String keyName, String userId, UUID connectionId, String profileId, String outcome, int status,
            Instant at) {
    }

    private final DatabaseClient db;
    private final TransactionalOperator transaction;
    private final TokenAccessAuditProperties properties;
    private final ConcurrentLinkedQueue<TokenAccess> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final Counter refused;
    private final Counter written;
    private final Counter lost;

    TokenAccessAudit(DatabaseClient db, TransactionalOperator transaction, TokenAccessAuditProperties properties, MeterRegistry meters) {
        this.db = db;
        this.transaction = transaction;
        this.properties = properties;
        Gauge.builder("token_access_audit.queued", queued, AtomicInteger::get)
                .description("Token API answers waiting to be written to the audit").register(meters);
        this.refused = Counter.builder("token_access_audit.refused")
                .description("Token requests refused because the audit queue was full").register(meters);
        this.written = Counter.builder("token_access_audit.written").description("Token API answers written to the audit").register(meters);
        this.lost = Counter.builder("token_access_audit.lost")
                .description("Token API answers that could not be written (database failing longer than the queue holds)").register(meters);
    }

    boolean enabled() {
        return properties.enabled();
    }

    /** Empty when there is room in the queue; a 503 problem (retry after a flush) when there is not. */
    Mono<Void> admit() {
        if (!properties.enabled() || queued.get() < properties.capacity()) {
            return Mono.empty();
        }
        refused.increment();
        return Mono.error(new Backlog(Math.max(1, properties.flushInterval().toSeconds())));
    }

    /** The refusal when the queue is full: 503 {@code service-unavailable} with {@code Retry-After}. */
    static final class Backlog extends ApiProblem {
        Backlog(long retryAfterSeconds) {
            super(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.SERVICE_UNAVAILABLE, "Service unavailable",
                    "Token reads cannot be recorded as fast as they come; retry shortly.", Map.of(),
                    Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
        }
    }

    void record(TokenAccess access) {
        if (properties.enabled()) {
            queue.add(access);
            queued.incrementAndGet();
        }
    }

    /** Spring subscribes to this one publisher on every run: what to write is taken per run, in {@link #flush}. */
    @Untraced
    @Scheduled(initialDelayString = "${token-access-audit.flush-interval:1s}", fixedDelayString = "${token-access-audit.flush-interval:1s}")
    Mono<Void> run() {
        return Mono.defer(this::flush).then();
    }

    /** Writes what is queued (up to the batch size per statement pair, until the queue is empty); emits how many. */
    public Mono<Long> flush() {
        List<TokenAccess> batch = new ArrayList<>();
        TokenAccess next;
        while (batch.size() < properties.batchSize() && (next = queue.poll()) != null) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            return Mono.just(0L);
        }
        return transaction.transactional(write(batch))
                .doOnSuccess(rows -> {
                    queued.addAndGet(-batch.size());
                    written.increment(batch.size());
                })
                .onErrorResume(error -> {
                    // back into the queue, to be written with the next flush; the queue's bound refuses new token reads meanwhile
                    queue.addAll(batch);
                    log.warn("token access audit: {} answers not written yet ({}); retrying with the next flush", batch.size(),
                            error.toString());
                    return Mono.just(0L);
                })
                .flatMap(count -> count > 0 && !queue.isEmpty() ? flush().map(more -> count + more) : Mono.just(count));
    }

    private Mono<Long> write(List<TokenAccess> batch) {
        int n = batch.size();
        String[] keys = new String[n];
        String[] users = new String[n];
        UUID[] connections = new UUID[n];
        String[] profiles = new String[n];
        String[] outcomes = new String[n];
        Integer[] statuses = new Integer[n];
        java.time.OffsetDateTime[] times = new java.time.OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            TokenAccess access = batch.get(i);
            keys[i] = access.keyName();
            users[i] = access.userId();
            connections[i] = access.connectionId();
            profiles[i] = access.profileId();
            outcomes[i] = access.outcome();
            statuses[i] = access.status();
            times[i] = access.at().atOffset(ZoneOffset.UTC);
        }
        return db.sql("""
                        INSERT INTO token_access_events (key_name, user_id, connection_id, profile_id, outcome, status, occurred_at)
                        SELECT * FROM unnest(:keys::text[], :users::text[], :connections::uuid[], :profiles::text[], :outcomes::text[],
                                             :statuses::int[], :times::timestamptz[])""")
                .bind("keys", keys).bind("users", users).bind("connections", connections).bind("profiles", profiles)
                .bind("outcomes", outcomes).bind("statuses", statuses).bind("times", times)
                .fetch().rowsUpdated()
                .flatMap(rows -> db.sql("""
                                INSERT INTO token_reads_daily (user_id, key_name, day, reads)
                                SELECT user_id, key_name, (occurred_at AT TIME ZONE 'UTC')::date, count(*)
                                  FROM unnest(:keys::text[], :users::text[], :outcomes::text[], :times::timestamptz[])
                                       AS a(key_name, user_id, outcome, occurred_at)
                                 WHERE outcome = 'SERVED'
                                 GROUP BY 1, 2, 3
                                ON CONFLICT (user_id, key_name, day) DO UPDATE SET reads = token_reads_daily.reads + excluded.reads""")
                        .bind("keys", keys).bind("users", users).bind("outcomes", outcomes).bind("times", times)
                        .fetch().rowsUpdated().thenReturn(rows));
    }

    /** Reads of a user's tokens per calling service and UTC day. */
    public record DailyReads(@Schema(example = "reporting") String service, @Schema(example = "2026-12-01") java.time.LocalDate day,
            @Schema(example = "1280") long reads) {
    }

    /** The user's token reads per service and day, newest day first, from {@code fromDay} on. */
    public Mono<List<DailyReads>> readsOf(String userId, java.time.LocalDate fromDay) {
        return db.sql("SELECT key_name, day, reads FROM token_reads_daily WHERE user_id = :userId AND day >= :from ORDER BY day DESC, key_name")
                .bind("userId", userId).bind("from", fromDay)
                .map(row -> new DailyReads(row.get("key_name", String.class), row.get("day", java.time.LocalDate.class),
                        row.get("reads", Long.class)))
                .all().collectList();
    }

    /** Reads per service key and day across users, newest day first, in [fromDay, toDay). */
    public Mono<List<DailyReads>> readsPerKey(java.time.LocalDate fromDay, java.time.LocalDate toDay) {
        return db.sql("""
                        SELECT key_name, day, sum(reads)::bigint AS reads FROM token_reads_daily
                         WHERE day >= :from AND day < :to GROUP BY key_name, day ORDER BY day DESC, key_name""")
                .bind("from", fromDay).bind("to", toDay)
                .map(row -> new DailyReads(row.get("key_name", String.class), row.get("day", java.time.LocalDate.class),
                        row.get("reads", Long.class)))
                .all().collectList();
    }

    /** Retention: answers older than {@code eventsCutoff}, daily counts of days before {@code dailyCutoff}; emits how many answers. */
    public Mono<Long> deleteOlderThan(Instant eventsCutoff, Instant dailyCutoff) {
        return db.sql("DELETE FROM token_access_events WHERE occurred_at < :cutoff")
                .bind("cutoff", eventsCutoff.atOffset(ZoneOffset.UTC)).fetch().rowsUpdated()
                .flatMap(rows -> db.sql("DELETE FROM token_reads_daily WHERE day < :cutoff")
                        .bind("cutoff", java.time.LocalDate.ofInstant(dailyCutoff, ZoneOffset.UTC)).fetch().rowsUpdated()
                        .thenReturn(rows));
    }

    /** At shutdown, what is queued is written before the pool closes (the graceful shutdown's last step). */
    @PreDestroy
    void flushOnShutdown() {
        if (!queue.isEmpty()) {
            Long rows = flush().block(Duration.ofSeconds(10));
            log.info("token access audit: {} answers written at shutdown", rows);
        }
        if (!queue.isEmpty()) {
            lost.increment(queue.size());
            log.error("token access audit: {} answers could not be written before shutdown", queue.size());
        }
    }
}
