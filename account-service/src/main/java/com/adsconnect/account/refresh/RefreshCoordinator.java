package com.adsconnect.account.refresh;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.connection.Connection;
import com.adsconnect.account.connection.ConnectionEvents;
import com.adsconnect.account.connection.ConnectionStatus;
import com.adsconnect.account.connection.ConnectionStore;
import com.adsconnect.account.outbox.Outbox;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.problem.ProblemTypes;
import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import io.r2dbc.postgresql.codec.Interval;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * At most one refresh per connection in flight, across every replica. A claim bumps the
 * connection's lease generation and sets a lease expiry, in the same transaction as the
 * {@code token-expiring} event that asks the refresher to do it. The refresher takes the lease
 * for that generation once, and reports for it; a report for an older generation, or a second
 * report for the same one, changes nothing. A lease that expires unreported is claimed again.
 */
@Service
public class RefreshCoordinator {

    public enum Reason { EXPIRING, KEEP_ALIVE, URGENT }

    public enum Outcome { SUCCESS, TRANSIENT_FAILURE, PERMANENT_FAILURE }

    /** What the refresher needs to call Amazon; {@link #toString()} hides the refresh token. */
    public record Lease(UUID connectionId, long generation, String provider, String region, String refreshToken,
            Instant leaseExpiresAt, Instant accessTokenExpiresAt) {
        @Override
        public String toString() {
            return "Lease[connectionId=" + connectionId + ", generation=" + generation + ", region=" + region + "]";
        }
    }

    /**
     * A refresher's report. Tokens are null unless {@code outcome} is SUCCESS; {@code refreshToken}
     * only if the provider rotated it. {@code retryAfterSeconds}: the provider asked to be left
     * alone this long (a transient failure's Retry-After).
     */
    public record Report(UUID connectionId, long generation, Outcome outcome, String accessToken, Long expiresInSeconds,
            String refreshToken, String errorCode, Long retryAfterSeconds) {
        @Override
        public String toString() {
            return "Report[connectionId=" + connectionId + ", generation=" + generation + ", outcome=" + outcome
                    + ", errorCode=" + errorCode + "]";
        }

        boolean rotatesRefreshToken() {
            return refreshToken != null && !refreshToken.isBlank();
        }
    }

    /** What a report did. */
    public enum ReportResult {
        /** The report was for the current generation and is stored, with its status change. */
        APPLIED,
        /**
         * A success for an older generation (its lease ran out before the report arrived) that
         * carried a rotated refresh token, newer than the stored one: stored, because the provider
         * invalidated the old one. A refresh of a newer generation still in flight is called off.
         */
        KEPT_ROTATED_REFRESH_TOKEN,
        /** Stale or duplicate: nothing changed. */
        STALE;

        public boolean applied() {
            return this != STALE;
        }
    }

    /** Provider waits beyond this are not honoured as a refresh backoff. */
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private final DatabaseClient db;
    private final ConnectionStore connections;
    private final Outbox outbox;
    private final ConnectionEvents events;
    private final TokenVault vault;
    private final AuditLog auditLog;
    private final RefreshProperties properties;
    private final TransactionalOperator transaction;

    RefreshCoordinator(DatabaseClient db, ConnectionStore connections, Outbox outbox, ConnectionEvents events, TokenVault vault,
            AuditLog auditLog, RefreshProperties properties, TransactionalOperator transaction) {
        this.db = db;
        this.connections = connections;
        this.outbox = outbox;
        this.events = events;
        this.vault = vault;
        this.auditLog = auditLog;
        this.properties = properties;
        this.transaction = transaction;
    }

    /** Claims made and not yet reported (their lease has not run out). */
    public Mono<Long> claimsInFlight() {
        return db.sql("SELECT count(*) AS in_flight FROM connections WHERE lease_expires_at > now()")
                .map(row -> row.get("in_flight", Long.class))
                .one();
    }

    /**
     * Claims up to {@code limit} connections that are due (token expiring within the refresh
     * window, or not refreshed for the keep-alive period), skipping rows another replica is
     * claiming right now, and writes one {@code token-expiring} event per claim. Emits how many.
     */
    public Mono<Long> claimDue(int limit) {
        Mono<Long> work = db.sql("""
                        WITH due AS (
                            SELECT id FROM connections
                            WHERE status IN ('ACTIVE', 'REFRESH_FAILING')
                              AND (lease_expires_at IS NULL OR lease_expires_at < now())
                              AND (next_refresh_at IS NULL OR next_refresh_at <= now())
                              AND (access_token_expires_at < now() + :window OR last_refreshed_at < now() - :keepAlive)
                            ORDER BY access_token_expires_at
                            LIMIT :limit
                            FOR UPDATE SKIP LOCKED)
                        UPDATE connections c
                           SET lease_generation = c.lease_generation + 1, lease_expires_at = now() + :lease, lease_taken_at = NULL
                          FROM due WHERE c.id = due.id
                        RETURNING c.id, (c.access_token_expires_at >= now() + :window) AS keep_alive""")
                .bind("window", Interval.of(properties.refreshWindow()))
                .bind("keepAlive", Interval.of(properties.keepAlive()))
                .bind("limit", limit)
                .bind("lease", Interval.of(properties.leaseDuration()))
                .map(row -> Map.entry(row.get("id", UUID.class), row.get("keep_alive", Boolean.class) ? Reason.KEEP_ALIVE : Reason.EXPIRING))
                .all()
                // read every claimed row before writing events: one connection cannot run a second
                // statement while the first one's rows are still streaming
                .collectList()
                .flatMap(claims -> announce(claims).thenReturn((long) claims.size()));
        return transaction.transactional(work);
    }

    /** What an urgent claim found. {@code retryAt} is set for {@link UrgentClaim.Result#BACKING_OFF}. */
    public record UrgentClaim(Result result, Instant retryAt) {
        public enum Result {
            /** A new generation was claimed and announced. */
            CLAIMED,
            /** A refresh is in flight already; its outcome will do. */
            IN_FLIGHT,
            /** Refreshing keeps failing and the connection waits out its backoff: no call to the provider before {@code retryAt}. */
            BACKING_OFF,
            /** The connection cannot be refreshed (re-authorization required, disconnected, gone). */
            NOT_REFRESHABLE
        }
    }

    /**
     * Claims the connection for an immediate refresh unless a refresh is already in flight or the
     * connection waits out the backoff of failed refreshes: an urgent request for a token is no
     * reason to call a failing provider more often. Either way the caller learns why.
     */
    public Mono<UrgentClaim> claimUrgent(UUID connectionId) {
        Mono<UrgentClaim> work = db.sql("""
                        UPDATE connections
                           SET lease_generation = lease_generation + 1, lease_expires_at = now() + :lease, lease_taken_at = NULL
                         WHERE id = :id AND status IN ('ACTIVE', 'REFRESH_FAILING')
                           AND (lease_expires_at IS NULL OR lease_expires_at < now())
                           AND (next_refresh_at IS NULL OR next_refresh_at <= now())
                        RETURNING id""")
                .bind("id", connectionId)
                .bind("lease", Interval.of(properties.leaseDuration()))
                .map(row -> row.get("id", UUID.class))
                .one()
                .flatMap(claimed -> announce(List.of(Map.entry(claimed, Reason.URGENT)))
                        .thenReturn(new UrgentClaim(UrgentClaim.Result.CLAIMED, null)))
                .switchIfEmpty(Mono.defer(() -> db.sql("""
                                SELECT status, lease_expires_at > now() AS in_flight, next_refresh_at
                                  FROM connections WHERE id = :id""")
                        .bind("id", connectionId)
                        .map(row -> {
                            String status = row.get("status", String.class);
                            OffsetDateTime next = row.get("next_refresh_at", OffsetDateTime.class);
                            if (!"ACTIVE".equals(status) && !"REFRESH_FAILING".equals(status)) {
                                return new UrgentClaim(UrgentClaim.Result.NOT_REFRESHABLE, null);
                            }
                            if (Boolean.TRUE.equals(row.get("in_flight", Boolean.class))) {
                                return new UrgentClaim(UrgentClaim.Result.IN_FLIGHT, null);
                            }
                            return next != null ? new UrgentClaim(UrgentClaim.Result.BACKING_OFF, next.toInstant())
                                    // the lease ran out between the two statements: a scheduler's claim is near
                                    : new UrgentClaim(UrgentClaim.Result.IN_FLIGHT, null);
                        })
                        .one()
                        .defaultIfEmpty(new UrgentClaim(UrgentClaim.Result.NOT_REFRESHABLE, null))));
        return transaction.transactional(work);
    }

    /**
     * Claims a connection for a refresher that retries a failed refresh later (from its retry
     * topic): a new generation, returned to the caller instead of announced, unless a refresh is in
     * flight, the connection waits out the backoff of its failures (a provider's Retry-After
     * included), or it cannot be refreshed (409, and the retry is dropped as stale: the scheduler
     * claims the connection again when its backoff ends).
     */
    public Mono<Long> claimForRetry(UUID connectionId) {
        Mono<Long> work = db.sql("""
                        UPDATE connections
                           SET lease_generation = lease_generation + 1, lease_expires_at = now() + :lease, lease_taken_at = NULL
                         WHERE id = :id AND status IN ('ACTIVE', 'REFRESH_FAILING')
                           AND (lease_expires_at IS NULL OR lease_expires_at < now())
                           AND (next_refresh_at IS NULL OR next_refresh_at <= now())
                        RETURNING lease_generation""")
                .bind("id", connectionId)
                .bind("lease", Interval.of(properties.leaseDuration()))
                .map(row -> row.get("lease_generation", Long.class))
                .one()
                .switchIfEmpty(Mono.error(() -> new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.LEASE_UNAVAILABLE,
                        "Lease unavailable", "A refresh is in flight, the connection waits out its refresh backoff, "
                                + "or it cannot be refreshed.")));
        return transaction.transactional(work);
    }

    /** A refresher asking for the lease of one claimed generation. */
    public record LeaseRequest(UUID connectionId, long generation) {
    }

    /**
     * Hands the refresh material of a claimed generation to one refresher. A second taker of the
     * same generation, a taker of an old generation, or a taker after the lease expired gets 409.
     */
    public Mono<Lease> takeLease(UUID connectionId, long generation) {
        return takeLeases(List.of(new LeaseRequest(connectionId, generation)))
                .flatMap(leases -> Mono.justOrEmpty(leases.get(connectionId)))
                .switchIfEmpty(Mono.error(() -> new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.LEASE_UNAVAILABLE,
                        "Lease unavailable", "This refresh generation is not claimable: it is stale, taken, expired, "
                                + "or the connection cannot be refreshed.", Map.of("generation", generation))));
    }

    /**
     * {@link #takeLease} for many generations in one transaction and two statements; the rows are
     * locked in id order, so batches that overlap wait for each other instead of deadlocking. Emits
     * the leases granted, by connection; a request missing from the map was stale, taken, expired,
     * or its connection cannot be refreshed.
     */
    public Mono<Map<UUID, Lease>> takeLeases(List<LeaseRequest> requests) {
        if (requests.isEmpty()) {
            return Mono.just(Map.of());
        }
        UUID[] ids = requests.stream().map(LeaseRequest::connectionId).toArray(UUID[]::new);
        Long[] generations = requests.stream().map(LeaseRequest::generation).toArray(Long[]::new);
        Mono<Map<UUID, Lease>> work = db.sql("""
                        WITH wanted AS (
                            SELECT c.id FROM connections c
                              JOIN unnest(:ids::uuid[], :generations::bigint[]) AS r(id, generation)
                                ON c.id = r.id AND c.lease_generation = r.generation
                             WHERE c.lease_taken_at IS NULL AND c.lease_expires_at > now()
                               AND c.status IN ('ACTIVE', 'REFRESH_FAILING')
                             ORDER BY c.id
                               FOR UPDATE OF c)
                        UPDATE connections c SET lease_taken_at = now()
                          FROM wanted WHERE c.id = wanted.id
                        RETURNING c.id, c.user_id, c.provider, c.region, c.lease_generation, c.lease_expires_at,
                                  c.access_token_expires_at""")
                .bind("ids", ids)
                .bind("generations", generations)
                .map(RefreshCoordinator::claim)
                .all()
                .collectList()
                .flatMap(claims -> claims.isEmpty() ? Mono.just(Map.<UUID, Lease>of()) : db.sql("""
                                SELECT connection_id, refresh_token_ciphertext FROM connection_tokens
                                 WHERE connection_id = ANY(:ids)""")
                        .bind("ids", claims.stream().map(Claim::connectionId).toArray(UUID[]::new))
                        .map(row -> Map.entry(row.get("connection_id", UUID.class), row.get("refresh_token_ciphertext", byte[].class)))
                        .all()
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                        .map(ciphertexts -> {
                            Map<UUID, Lease> leases = new HashMap<>();
                            for (Claim claim : claims) {
                                byte[] ciphertext = ciphertexts.get(claim.connectionId());
                                if (ciphertext != null) {
                                    leases.put(claim.connectionId(), new Lease(claim.connectionId(), claim.generation(),
                                            claim.provider(), claim.region(), vault.decrypt(ciphertext, claim.userId(),
                                                    claim.connectionId().toString(), TokenKind.REFRESH_TOKEN),
                                            claim.leaseExpiresAt(), claim.accessTokenExpiresAt()));
                                }
                            }
                            return leases;
                        }));
        return transaction.transactional(work);
    }

    /** Why a report cannot be applied as it stands; null when it can. */
    public static String invalidReason(Report report) {
        if (report.connectionId() == null) {
            return "connectionId is required";
        }
        if (report.outcome() == null) {
            return "outcome is required: SUCCESS, TRANSIENT_FAILURE or PERMANENT_FAILURE";
        }
        if (report.retryAfterSeconds() != null && report.retryAfterSeconds() < 0) {
            return "retryAfterSeconds must not be negative";
        }
        if (report.outcome() == Outcome.SUCCESS && (report.accessToken() == null || report.accessToken().isBlank()
                || report.expiresInSeconds() == null || report.expiresInSeconds() <= 0 || report.expiresInSeconds() > 86_400)) {
            return "a success needs accessToken and expiresInSeconds (1..86400)";
        }
        return null;
    }

    /**
     * Applies a report for the current generation. A report for an older one changes nothing,
     * unless it is a success carrying a rotated refresh token newer than the stored tokens: the
     * provider has invalidated the stored refresh token then, and the report holds the only valid
     * one (see {@link ReportResult#KEPT_ROTATED_REFRESH_TOKEN}).
     */
    public Mono<ReportResult> report(Report report, String caller) {
        if (report.outcome() == Outcome.SUCCESS && invalidReason(report) != null) {
            return Mono.error(ApiProblem.invalidField("accessToken", invalidReason(report)));
        }
        return reportAll(List.of(report), caller).map(results -> results.get(0));
    }

    /**
     * {@link #report} for many reports in one transaction, results in the reports' order; every
     * report must be valid ({@link #invalidReason}). The connections are locked in id order first.
     * The common case, a success for the current lease of a healthy connection, is applied to all
     * such reports at once with three multi-row statements (tokens, connection, wake-up); anything
     * else (failures, recoveries, late or duplicate reports, a connection named twice) goes through
     * the one-report path, report by report, with the same rules.
     */
    public Mono<List<ReportResult>> reportAll(List<Report> reports, String caller) {
        if (reports.isEmpty()) {
            return Mono.just(List.of());
        }
        Map<UUID, Integer> named = new HashMap<>();
        reports.forEach(report -> named.merge(report.connectionId(), 1, Integer::sum));
        // only what tells a routine success apart; the one-report path reads the whole row again
        Mono<List<ReportResult>> work = db.sql("""
                        SELECT id, user_id, status = 'ACTIVE' AND lease_expires_at IS NOT NULL AS leased_active, lease_generation
                          FROM connections WHERE id = ANY(:ids) ORDER BY id FOR UPDATE""")
                .bind("ids", named.keySet().toArray(UUID[]::new))
                .map(row -> new Locked(row.get("id", UUID.class), row.get("user_id", String.class),
                        row.get("leased_active", Boolean.class), row.get("lease_generation", Long.class)))
                .all()
                .collectMap(Locked::id)
                .flatMap(locked -> {
                    ReportResult[] results = new ReportResult[reports.size()];
                    List<Routine> routine = new ArrayList<>();
                    List<Integer> others = new ArrayList<>();
                    for (int i = 0; i < reports.size(); i++) {
                        Report report = reports.get(i);
                        Locked current = locked.get(report.connectionId());
                        if (report.outcome() == Outcome.SUCCESS && named.get(report.connectionId()) == 1 && current != null
                                && current.leasedActive() && current.generation() == report.generation()) {
                            routine.add(new Routine(report, current.userId()));
                            results[i] = ReportResult.APPLIED;
                        } else {
                            others.add(i);
                        }
                    }
                    return routineSuccesses(routine)
                            .thenMany(Flux.fromIterable(others)
                                    .concatMap(i -> reportLocked(reports.get(i), caller).doOnNext(result -> results[i] = result)))
                            .then(Mono.fromSupplier(() -> List.of(results)));
                });
        return transaction.transactional(work);
    }

    /** Successes for the current lease of ACTIVE connections: tokens, connection and wake-up, each one statement for all. */
    private Mono<Void> routineSuccesses(List<Routine> routine) {
        if (routine.isEmpty()) {
            return Mono.empty();
        }
        UUID[] ids = routine.stream().map(success -> success.report().connectionId()).toArray(UUID[]::new);
        Long[] expiresIn = routine.stream().map(success -> success.report().expiresInSeconds()).toArray(Long[]::new);
        List<ConnectionStore.RefreshedTokens> tokens = routine.stream()
                .map(success -> encrypted(success.report(), success.owner())).toList();
        return connections.storeRefreshedTokens(tokens, vault.primaryKeyId())
                .then(db.sql("""
                                UPDATE connections c SET status = 'ACTIVE',
                                    access_token_expires_at = now() + r.expires_in * interval '1 second',
                                    last_refreshed_at = now(), last_error_code = NULL, last_error_at = NULL,
                                    refresh_failures = 0, next_refresh_at = NULL,
                                    lease_expires_at = NULL, updated_at = now(), version = version + 1
                                  FROM unnest(:ids::uuid[], :expiresIn::bigint[]) AS r(id, expires_in)
                                 WHERE c.id = r.id""")
                        .bind("ids", ids)
                        .bind("expiresIn", expiresIn)
                        .then())
                .then(notifyRefreshed(ids));
    }

    /** The report's tokens encrypted for storage; the refresh token only if the provider rotated it. */
    private ConnectionStore.RefreshedTokens encrypted(Report report, String owner) {
        String row = report.connectionId().toString();
        return new ConnectionStore.RefreshedTokens(report.connectionId(),
                vault.encrypt(report.accessToken(), owner, row, TokenKind.ACCESS_TOKEN),
                report.rotatesRefreshToken() ? vault.encrypt(report.refreshToken(), owner, row, TokenKind.REFRESH_TOKEN) : null,
                report.generation());
    }

    /** One report, its connection locked already by this transaction. */
    private Mono<ReportResult> reportLocked(Report report, String caller) {
        return db.sql("SELECT " + ConnectionStore.COLUMNS + ", lease_generation, lease_expires_at, refresh_failures "
                        + "FROM connections WHERE id = :id FOR UPDATE")
                .bind("id", report.connectionId())
                .map(RefreshCoordinator::current)
                .one()
                .flatMap(current -> {
                    ConnectionStatus status = current.connection().status();
                    if (current.isLeaseOf(report.generation())) {
                        return switch (report.outcome()) {
                            case SUCCESS -> succeeded(current, report).thenReturn(ReportResult.APPLIED);
                            case TRANSIENT_FAILURE -> failedTransiently(current, report, caller).thenReturn(ReportResult.APPLIED);
                            case PERMANENT_FAILURE -> failedPermanently(current, report, caller).thenReturn(ReportResult.APPLIED);
                        };
                    }
                    boolean mayBeLateRotation = report.outcome() == Outcome.SUCCESS && report.rotatesRefreshToken()
                            && status != ConnectionStatus.DISCONNECTED && report.generation() <= current.generation();
                    if (!mayBeLateRotation) {
                        return Mono.just(ReportResult.STALE);
                    }
                    // read under the row lock, in a statement of its own: a join in the locking statement would
                    // keep the tokens row as it was before the wait for the lock (READ COMMITTED re-reads only the locked row)
                    return connections.tokensGeneration(report.connectionId())
                            .filter(stored -> stored < report.generation())
                            .flatMap(newer -> succeeded(current, report).thenReturn(ReportResult.KEPT_ROTATED_REFRESH_TOKEN))
                            .defaultIfEmpty(ReportResult.STALE);
                })
                .defaultIfEmpty(ReportResult.STALE);
    }

    /**
     * Stores the refreshed tokens as of the report's generation and makes the connection ACTIVE.
     * Any lease is cleared: for a late report, a newer generation still in flight holds a refresh
     * token the provider may have invalidated, and its outcome must not count.
     */
    private Mono<Boolean> succeeded(Current current, Report report) {
        Connection connection = current.connection();
        String owner = connection.userId();
        Instant expiresAt = Instant.now().plusSeconds(report.expiresInSeconds());
        ConnectionStore.RefreshedTokens tokens = encrypted(report, owner);
        Mono<Connection> update = updateStatus(connection.id(), ConnectionStatus.ACTIVE, expiresAt, null, 0, null);
        return connections.storeRefreshedTokens(List.of(tokens), vault.primaryKeyId()).then(update)
                .flatMap(updated -> (connection.status() != ConnectionStatus.ACTIVE
                        ? events.statusChanged(updated, connection.status(), ConnectionEvents.Reason.RECOVERED, null)
                                .then(auditLog.record(AuditEntry.of(owner, Actor.system("token-refresher"), "connection.recovered",
                                        RequestOrigin.NONE).withChange(Map.of("status", connection.status().name()),
                                        Map.of("status", "ACTIVE"))))
                        : Mono.<Void>empty())
                        .then(notifyRefreshed(new UUID[] {connection.id()})))
                .thenReturn(true);
    }

    private Mono<Boolean> failedTransiently(Current current, Report report, String caller) {
        Connection connection = current.connection();
        int failures = current.failures() + 1;
        Duration backoff = properties.failureBackoff().multipliedBy(1L << Math.min(failures - 1, 10));
        if (backoff.compareTo(properties.maxFailureBackoff()) > 0) {
            backoff = properties.maxFailureBackoff();
        }
        if (report.retryAfterSeconds() != null && report.retryAfterSeconds() > 0) {
            Duration retryAfter = Duration.ofSeconds(Math.min(report.retryAfterSeconds(), MAX_RETRY_AFTER.toSeconds()));
            backoff = retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
        }
        Instant nextAttempt = Instant.now().plus(backoff);
        return updateStatus(connection.id(), ConnectionStatus.REFRESH_FAILING, null, errorCode(report, "transient_error"), failures, nextAttempt)
                .flatMap(updated -> connection.status() == ConnectionStatus.REFRESH_FAILING
                        ? Mono.just(true)
                        : events.statusChanged(updated, connection.status(), ConnectionEvents.Reason.REFRESH_FAILING, updated.lastErrorCode())
                                .then(auditLog.record(AuditEntry.of(connection.userId(), Actor.system(caller), "connection.refresh_failing",
                                        RequestOrigin.NONE).withChange(Map.of("status", connection.status().name()),
                                        Map.of("status", "REFRESH_FAILING", "errorCode", updated.lastErrorCode()))))
                                .thenReturn(true));
    }

    private Mono<Boolean> failedPermanently(Current current, Report report, String caller) {
        Connection connection = current.connection();
        return updateStatus(connection.id(), ConnectionStatus.REAUTH_REQUIRED, null, errorCode(report, "invalid_grant"),
                current.failures() + 1, null)
                .flatMap(updated -> events.statusChanged(updated, connection.status(), ConnectionEvents.Reason.REAUTH_REQUIRED,
                                updated.lastErrorCode())
                        .then(auditLog.record(AuditEntry.of(connection.userId(), Actor.system(caller), "connection.reauth_required",
                                RequestOrigin.NONE).withChange(Map.of("status", connection.status().name()),
                                Map.of("status", "REAUTH_REQUIRED", "errorCode", updated.lastErrorCode()))))
                        .then(notifyRefreshed(new UUID[] {connection.id()}))
                        .thenReturn(true));
    }

    /** LWA error codes are short lowercase words; anything else is not echoed into the database. */
    private static String errorCode(Report report, String fallback) {
        String code = report.errorCode();
        return code != null && code.matches("[a-z_]{1,64}") ? code : fallback;
    }

    private Mono<Connection> updateStatus(UUID id, ConnectionStatus status, Instant accessTokenExpiresAt, String errorCode,
            int failures, Instant nextRefreshAt) {
        boolean success = status == ConnectionStatus.ACTIVE;
        return db.sql("""
                        UPDATE connections SET status = :status,
                            access_token_expires_at = coalesce(:expiresAt, access_token_expires_at),
                            last_refreshed_at = CASE WHEN :success THEN now() ELSE last_refreshed_at END,
                            last_error_code = :errorCode,
                            last_error_at = CASE WHEN :success THEN NULL ELSE now() END,
                            refresh_failures = :failures, next_refresh_at = :nextRefreshAt,
                            lease_expires_at = NULL, updated_at = now(), version = version + 1
                        WHERE id = :id
                        RETURNING""" + " " + ConnectionStore.COLUMNS)
                .bind("status", status.name())
                .bind("expiresAt", Parameter.fromOrEmpty(accessTokenExpiresAt == null ? null : accessTokenExpiresAt.atOffset(ZoneOffset.UTC),
                        OffsetDateTime.class))
                .bind("success", success)
                .bind("errorCode", Parameter.fromOrEmpty(errorCode, String.class))
                .bind("failures", failures)
                .bind("nextRefreshAt", Parameter.fromOrEmpty(nextRefreshAt == null ? null : nextRefreshAt.atOffset(ZoneOffset.UTC),
                        OffsetDateTime.class))
                .bind("id", id)
                .map(row -> ConnectionStore.toConnection(row))
                .one();
    }

    /** Wakes token requests waiting for these connections, on every replica (delivered at commit). */
    private Mono<Void> notifyRefreshed(UUID[] connectionIds) {
        // one notification per 200 connections (a payload holds up to 8000 bytes), not one each
        return db.sql("SELECT pg_notify('" + TokenRefreshSignals.CHANNEL + "', string_agg(id::text, ',')) "
                        + "FROM unnest(:ids::uuid[]) WITH ORDINALITY AS t(id, n) GROUP BY (n - 1) / 200")
                .bind("ids", connectionIds)
                .fetch().all().then();
    }

    /** One {@code token-expiring} event per claim, written in the claim's transaction. */
    private Mono<Void> announce(List<Map.Entry<UUID, Reason>> claims) {
        return outbox.tokenExpiring(claims.stream().map(Map.Entry::getKey).toArray(UUID[]::new),
                claims.stream().map(claim -> claim.getValue().name()).toArray(String[]::new));
    }

    private static Current current(Readable row) {
        return new Current(ConnectionStore.toConnection(row), row.get("lease_generation", Long.class),
                row.get("lease_expires_at", OffsetDateTime.class), row.get("refresh_failures", Integer.class));
    }

    /** A lease just taken, as its row says. */
    private static Claim claim(Readable row) {
        OffsetDateTime tokenExpiry = row.get("access_token_expires_at", OffsetDateTime.class);
        return new Claim(row.get("id", UUID.class), row.get("user_id", String.class), row.get("provider", String.class),
                row.get("region", String.class), row.get("lease_generation", Long.class),
                row.get("lease_expires_at", OffsetDateTime.class).toInstant(),
                tokenExpiry == null ? null : tokenExpiry.toInstant());
    }

    private record Claim(UUID connectionId, String userId, String provider, String region, long generation,
            Instant leaseExpiresAt, Instant accessTokenExpiresAt) {
    }

    private record Routine(Report report, String owner) {
    }

    /** A connection as a batch of reports found it under its lock: ACTIVE with a lease, and which generation. */
    private record Locked(UUID id, String userId, boolean leasedActive, long generation) {
    }

    private record Current(Connection connection, long generation, OffsetDateTime leaseExpiresAt, int failures) {
        /** The report's generation holds the connection's current lease, and the connection can be refreshed. */
        boolean isLeaseOf(long reportedGeneration) {
            ConnectionStatus status = connection.status();
            return generation == reportedGeneration && leaseExpiresAt != null
                    && (status == ConnectionStatus.ACTIVE || status == ConnectionStatus.REFRESH_FAILING);
        }
    }

}
