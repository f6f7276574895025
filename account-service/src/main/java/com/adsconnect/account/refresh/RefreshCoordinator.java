package com.adsconnect.account.refresh;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.connection.Connection;
import com.adsconnect.account.connection.ConnectionLifecycle;
import com.adsconnect.account.connection.ConnectionStatus;
import com.adsconnect.account.connection.ConnectionStore;
import com.adsconnect.account.outbox.Outbox;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.problem.ProblemTypes;
import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
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

    /** Ten years: a refresh token lifetime beyond it is not believed. */
    static final long MAX_REFRESH_TOKEN_LIFETIME_SECONDS = 3660L * 86_400;

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
     * alone this long (a transient failure's Retry-After). {@code refreshTokenExpiresInSeconds}: the
     * refresh token's own remaining lifetime, where the provider said (Google's time-based access).
     */
    public record Report(UUID connectionId, long generation, Outcome outcome, String accessToken, Long expiresInSeconds,
            String refreshToken, String errorCode, Long retryAfterSeconds, Long refreshTokenExpiresInSeconds) {

        public Report(UUID connectionId, long generation, Outcome outcome, String accessToken, Long expiresInSeconds,
                String refreshToken, String errorCode, Long retryAfterSeconds) {
            this(connectionId, generation, outcome, accessToken, expiresInSeconds, refreshToken, errorCode, retryAfterSeconds, null);
        }

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
    private final ConnectionLifecycle lifecycle;
    private final Outbox outbox;
    private final TokenVault vault;
    private final RefreshProperties properties;
    private final TransactionalOperator transaction;

    RefreshCoordinator(DatabaseClient db, ConnectionStore connections, ConnectionLifecycle lifecycle, Outbox outbox, TokenVault vault,
            RefreshProperties properties, TransactionalOperator transaction) {
        this.db = db;
        this.connections = connections;
        this.lifecycle = lifecycle;
        this.outbox = outbox;
        this.vault = vault;
        this.properties = properties;
        this.transaction = transaction;
    }

    /** Claims made and not yet reported (their lease has not run out). */
    public Mono<Long> claimsInFlight() {
        return connections.claimsInFlight();
    }

    /**
     * Claims up to {@code limit} connections that are due (token expiring within the refresh
     * window, or not refreshed for the keep-alive period), skipping rows another replica is
     * claiming right now, and writes one {@code token-expiring} event per claim. Emits how many.
     */
    public Mono<Long> claimDue(int limit) {
        Mono<Long> work = connections.claimDue(limit, properties.refreshWindow(), properties.keepAlive(), properties.leaseDuration())
                .flatMap(claims -> announce(claims.stream().map(ConnectionStore.DueClaim::connectionId).toArray(UUID[]::new),
                                claims.stream().map(claim -> (claim.keepAlive() ? Reason.KEEP_ALIVE : Reason.EXPIRING).name())
                                        .toArray(String[]::new))
                        .thenReturn((long) claims.size()));
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
        return transaction.transactional(urgentClaim(connectionId));
    }

    /**
     * Support's "refresh it now": as {@link #claimUrgent}, but a failing connection's backoff is
     * cleared first (support knows the provider is back). A refresh in flight is still not doubled.
     */
    public Mono<UrgentClaim> forceRefresh(UUID connectionId) {
        return transaction.transactional(connections.clearBackoff(connectionId).then(urgentClaim(connectionId)));
    }

    private Mono<UrgentClaim> urgentClaim(UUID connectionId) {
        return connections.claim(connectionId, properties.leaseDuration())
                .flatMap(generation -> announce(new UUID[] {connectionId}, new String[] {Reason.URGENT.name()})
                        .thenReturn(new UrgentClaim(UrgentClaim.Result.CLAIMED, null)))
                .switchIfEmpty(Mono.defer(() -> connections.refreshState(connectionId)
                        .map(state -> {
                            if (state.status() != ConnectionStatus.ACTIVE && state.status() != ConnectionStatus.REFRESH_FAILING) {
                                return new UrgentClaim(UrgentClaim.Result.NOT_REFRESHABLE, null);
                            }
                            if (state.leaseRunning()) {
                                return new UrgentClaim(UrgentClaim.Result.IN_FLIGHT, null);
                            }
                            return state.nextRefreshAt() != null ? new UrgentClaim(UrgentClaim.Result.BACKING_OFF, state.nextRefreshAt())
                                    // the lease ran out between the two statements: a scheduler's claim is near
                                    : new UrgentClaim(UrgentClaim.Result.IN_FLIGHT, null);
                        })
                        .defaultIfEmpty(new UrgentClaim(UrgentClaim.Result.NOT_REFRESHABLE, null))));
    }

    /**
     * Claims a connection for a refresher that retries a failed refresh later (from its retry
     * topic): a new generation, returned to the caller instead of announced, unless a refresh is in
     * flight, the connection waits out the backoff of its failures (a provider's Retry-After
     * included), or it cannot be refreshed (409, and the retry is dropped as stale: the scheduler
     * claims the connection again when its backoff ends).
     */
    public Mono<Long> claimForRetry(UUID connectionId) {
        Mono<Long> work = connections.claim(connectionId, properties.leaseDuration())
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
     * {@link #takeLease} for many generations in one transaction and two statements. Emits the
     * leases granted, by connection; a request missing from the map was stale, taken, expired, or
     * its connection cannot be refreshed.
     */
    public Mono<Map<UUID, Lease>> takeLeases(List<LeaseRequest> requests) {
        if (requests.isEmpty()) {
            return Mono.just(Map.of());
        }
        Mono<Map<UUID, Lease>> work = connections.takeLeases(requests.stream().map(LeaseRequest::connectionId).toArray(UUID[]::new),
                        requests.stream().map(LeaseRequest::generation).toArray(Long[]::new))
                .map(taken -> {
                    Map<UUID, Lease> leases = new HashMap<>();
                    for (ConnectionStore.TakenLease lease : taken) {
                        leases.put(lease.connectionId(), new Lease(lease.connectionId(), lease.generation(), lease.provider(),
                                lease.region(), vault.decrypt(lease.refreshTokenCiphertext(), lease.userId(),
                                        lease.connectionId().toString(), TokenKind.REFRESH_TOKEN),
                                lease.leaseExpiresAt(), lease.accessTokenExpiresAt()));
                    }
                    return leases;
                });
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
        if (report.refreshTokenExpiresInSeconds() != null
                && (report.refreshTokenExpiresInSeconds() <= 0 || report.refreshTokenExpiresInSeconds() > MAX_REFRESH_TOKEN_LIFETIME_SECONDS)) {
            return "refreshTokenExpiresInSeconds must be between 1 and " + MAX_REFRESH_TOKEN_LIFETIME_SECONDS;
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
     * such reports at once ({@link ConnectionLifecycle#refreshedAll}); anything else (failures,
     * recoveries, late or duplicate reports, a connection named twice) goes through the one-report
     * path, report by report, with the same rules.
     */
    public Mono<List<ReportResult>> reportAll(List<Report> reports, String caller) {
        if (reports.isEmpty()) {
            return Mono.just(List.of());
        }
        Map<UUID, Integer> named = new HashMap<>();
        reports.forEach(report -> named.merge(report.connectionId(), 1, Integer::sum));
        Mono<List<ReportResult>> work = connections.lockForReports(named.keySet().toArray(UUID[]::new))
                .flatMap(locked -> {
                    ReportResult[] results = new ReportResult[reports.size()];
                    List<ConnectionLifecycle.Refreshed> routine = new ArrayList<>();
                    List<Integer> others = new ArrayList<>();
                    for (int i = 0; i < reports.size(); i++) {
                        Report report = reports.get(i);
                        ConnectionStore.LockedForReport current = locked.get(report.connectionId());
                        if (report.outcome() == Outcome.SUCCESS && named.get(report.connectionId()) == 1 && current != null
                                && current.leasedActive() && current.generation() == report.generation()) {
                            routine.add(refreshed(report, current.userId()));
                            results[i] = ReportResult.APPLIED;
                        } else {
                            others.add(i);
                        }
                    }
                    UUID[] woken = routine.stream().map(ConnectionLifecycle.Refreshed::connectionId).toArray(UUID[]::new);
                    return lifecycle.refreshedAll(routine)
                            .then(notifyRefreshed(woken))
                            .thenMany(Flux.fromIterable(others)
                                    .concatMap(i -> reportLocked(reports.get(i), caller).doOnNext(result -> results[i] = result)))
                            .then(Mono.fromSupplier(() -> List.of(results)));
                });
        return transaction.transactional(work);
    }

    private static ConnectionLifecycle.Refreshed refreshed(Report report, String owner) {
        return new ConnectionLifecycle.Refreshed(report.connectionId(), owner, report.generation(), report.accessToken(),
                report.expiresInSeconds(), report.rotatesRefreshToken() ? report.refreshToken() : null,
                report.refreshTokenExpiresInSeconds());
    }

    /** One report, its connection locked already by this transaction. */
    private Mono<ReportResult> reportLocked(Report report, String caller) {
        return connections.lockLeased(report.connectionId())
                .flatMap(current -> {
                    Connection connection = current.connection();
                    if (current.isLeaseOf(report.generation())) {
                        Mono<Connection> applied = switch (report.outcome()) {
                            case SUCCESS -> lifecycle.refreshed(connection, refreshed(report, connection.userId()),
                                    Actor.system("token-refresher"));
                            case TRANSIENT_FAILURE -> lifecycle.refreshFailing(connection, errorCode(report, "transient_error"),
                                    current.failures() + 1, nextAttempt(current.failures() + 1, report), Actor.system(caller));
                            case PERMANENT_FAILURE -> lifecycle.reauthRequired(connection, errorCode(report, "invalid_grant"),
                                    current.failures() + 1, Actor.system(caller));
                        };
                        // token requests waiting for this connection learn the outcome, good or bad
                        boolean wakes = report.outcome() != Outcome.TRANSIENT_FAILURE;
                        return applied.then(wakes ? notifyRefreshed(new UUID[] {connection.id()}) : Mono.empty())
                                .thenReturn(ReportResult.APPLIED);
                    }
                    boolean mayBeLateRotation = report.outcome() == Outcome.SUCCESS && report.rotatesRefreshToken()
                            && connection.status() != ConnectionStatus.DISCONNECTED && report.generation() <= current.generation();
                    if (!mayBeLateRotation) {
                        return Mono.just(ReportResult.STALE);
                    }
                    // read under the row lock, in a statement of its own: a join in the locking statement would
                    // keep the tokens row as it was before the wait for the lock (READ COMMITTED re-reads only the locked row)
                    return connections.tokensGeneration(report.connectionId())
                            .filter(stored -> stored < report.generation())
                            .flatMap(newer -> lifecycle.refreshed(connection, refreshed(report, connection.userId()),
                                            Actor.system("token-refresher"))
                                    .then(notifyRefreshed(new UUID[] {connection.id()}))
                                    .thenReturn(ReportResult.KEPT_ROTATED_REFRESH_TOKEN))
                            .defaultIfEmpty(ReportResult.STALE);
                })
                .defaultIfEmpty(ReportResult.STALE);
    }

    /** When a connection that failed this many times in a row is tried again: exponential backoff, or the provider's Retry-After if longer. */
    private Instant nextAttempt(int failures, Report report) {
        Duration backoff = properties.failureBackoff().multipliedBy(1L << Math.min(failures - 1, 10));
        if (backoff.compareTo(properties.maxFailureBackoff()) > 0) {
            backoff = properties.maxFailureBackoff();
        }
        if (report.retryAfterSeconds() != null && report.retryAfterSeconds() > 0) {
            Duration retryAfter = Duration.ofSeconds(Math.min(report.retryAfterSeconds(), MAX_RETRY_AFTER.toSeconds()));
            backoff = retryAfter.compareTo(backoff) > 0 ? retryAfter : backoff;
        }
        return Instant.now().plus(backoff);
    }

    /** LWA error codes are short lowercase words; anything else is not echoed into the database. */
    private static String errorCode(Report report, String fallback) {
        String code = report.errorCode();
        return code != null && code.matches("[a-z_]{1,64}") ? code : fallback;
    }

    /** Wakes token requests waiting for these connections, on every replica (delivered at commit). */
    private Mono<Void> notifyRefreshed(UUID[] connectionIds) {
        if (connectionIds.length == 0) {
            return Mono.empty();
        }
        // one notification per 200 connections (a payload holds up to 8000 bytes), not one each
        return db.sql("SELECT pg_notify('" + TokenRefreshSignals.CHANNEL + "', string_agg(id::text, ',')) "
                        + "FROM unnest(:ids::uuid[]) WITH ORDINALITY AS t(id, n) GROUP BY (n - 1) / 200")
                .bind("ids", connectionIds)
                .fetch().all().then();
    }

    /** One {@code token-expiring} event per claim, written in the claim's transaction. */
    private Mono<Void> announce(UUID[] connectionIds, String[] reasons) {
        return outbox.tokenExpiring(connectionIds, reasons);
    }
}
