package com.adsconnect.account.support;

import com.adsconnect.account.refresh.RefreshCoordinator;
import com.adsconnect.account.refresh.RefreshCoordinator.Outcome;
import java.util.UUID;

/** Refresh outcomes for a connection, reported as the refresher would: claim it now, take the lease, report. */
public final class RefreshReports {

    private final Db db;
    private final RefreshCoordinator coordinator;

    public RefreshReports(Db db, RefreshCoordinator coordinator) {
        this.db = db;
        this.coordinator = coordinator;
    }

    /** Claims the connection for a refresh now (whatever its backoff) and takes the lease; returns its generation. */
    public long claim(String id) {
        UUID connection = UUID.fromString(id);
        db.execute("UPDATE connections SET next_refresh_at = NULL WHERE id = ?::uuid", id);
        long generation = coordinator.claimForRetry(connection).block();
        coordinator.takeLease(connection, generation).block();
        return generation;
    }

    /** Claims, takes the lease and reports the outcome (a success carries a new access token for an hour). */
    public void report(String id, Outcome outcome, String errorCode) {
        coordinator.report(of(claim(id), id, outcome, errorCode), "token-refresher").block();
    }

    public static RefreshCoordinator.Report of(long generation, String id, Outcome outcome, String errorCode) {
        boolean success = outcome == Outcome.SUCCESS;
        return new RefreshCoordinator.Report(UUID.fromString(id), generation, outcome, success ? "Atza|fresh-" + generation : null,
                success ? 3600L : null, null, errorCode, null);
    }
}
