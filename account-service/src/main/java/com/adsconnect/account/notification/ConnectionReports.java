package com.adsconnect.account.notification;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import reactor.core.publisher.Mono;

/** What the weekly report says about a user's connections (implemented by the connection feature, which owns them). */
public interface ConnectionReports {

    /**
     * One connection's week.
     *
     * @param status    its status now ({@code ACTIVE}, ...)
     * @param refreshes refreshes that succeeded in the week
     * @param failures  refresh attempts that failed in the week
     */
    record ConnectionWeek(UUID connectionId, String providerName, String connectionName, String status, long refreshes,
            long failures) {
    }

    /** The user's connections not disconnected before {@code from}, with their refreshes in [from, to). */
    Mono<List<ConnectionWeek>> week(String userId, Instant from, Instant to);
}
