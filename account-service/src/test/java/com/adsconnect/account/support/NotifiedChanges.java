package com.adsconnect.account.support;

import com.adsconnect.account.database.DatabaseNotifications;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.test.context.TestConfiguration;

/**
 * Waits until every account-service running in this JVM has been notified of all that was committed
 * before the wait began. A test that changes a connection with its own SQL, as another replica
 * would, and then asks for its token, waits here first: the service sees such a change once
 * PostgreSQL's notification of it arrives, and the wait ends at the first heartbeat that proves it
 * has ({@link DatabaseNotifications#deliveredUpTo()}), not after a guessed delay.
 */
public final class NotifiedChanges {

    private static final Set<DatabaseNotifications> RUNNING = ConcurrentHashMap.newKeySet();

    private NotifiedChanges() {
    }

    /** Every running service in this JVM has received the notifications of what was committed before this call. */
    public static void awaitDelivered() {
        long committed = System.nanoTime();
        for (DatabaseNotifications service : RUNNING) {
            Awaitility.await("notifications delivered").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(5))
                    .until(() -> !service.isRunning() || service.deliveredUpTo() != DatabaseNotifications.NOTHING_DELIVERED
                            && service.deliveredUpTo() - committed > 0);
        }
    }

    /** Imported by {@link AccountServiceTest}: makes each test context's listener known here while the context lives. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Registration implements DisposableBean {

        private final DatabaseNotifications notifications;

        Registration(DatabaseNotifications notifications) {
            this.notifications = notifications;
            RUNNING.add(notifications);
        }

        @Override
        public void destroy() {
            RUNNING.remove(notifications);
        }
    }
}
