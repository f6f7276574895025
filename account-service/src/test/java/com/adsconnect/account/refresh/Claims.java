package com.adsconnect.account.refresh;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.Db;

/** Makes exactly one connection due and lets the scheduler's claim take it: its next lease generation is announced. */
final class Claims {

    private Claims() {
    }

    static void claimOnly(Db db, RefreshCoordinator coordinator, String connectionId) {
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '5 minutes' WHERE id = ?::uuid", connectionId);
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '1 hour' WHERE id <> ?::uuid", connectionId);
        assertThat(coordinator.claimDue(10).block()).isEqualTo(1);
    }
}
