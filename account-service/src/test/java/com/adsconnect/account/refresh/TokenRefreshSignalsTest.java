package com.adsconnect.account.refresh;

import com.adsconnect.account.database.DatabaseNotifications;
import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Db;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.test.StepVerifier;

/**
 * A stored refresh outcome wakes the token requests waiting for it through PostgreSQL's NOTIFY,
 * on the service's one LISTEN session (which must open on the driver's factory behind the pool and
 * the row-level-security wrapper: it never had, and waiters only woke on their timer).
 */
@AccountServiceTest
class TokenRefreshSignalsTest {

    @Autowired
    TokenRefreshSignals signals;

    @Autowired
    DatabaseNotifications notifications;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Test
    void everyConnectionOfABatchNotificationIsSignalledAndForeignPayloadsAreSkipped() {
        Awaitility.await("a proven LISTEN session").atMost(Duration.ofSeconds(30))
                .until(() -> notifications.deliveredUpTo() != DatabaseNotifications.NOTHING_DELIVERED);
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        Db db = new Db(infrastructure);

        StepVerifier.create(signals.refreshed().filter(id -> id.equals(first) || id.equals(second)).take(2))
                .then(() -> db.string("SELECT pg_notify('" + TokenRefreshSignals.CHANNEL + "', ?)", first + ",not-a-connection," + second))
                .expectNext(first, second)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }
}
