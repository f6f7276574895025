package com.adsconnect.account.connection;

import com.adsconnect.account.notification.ConnectionReports;
import com.adsconnect.account.provider.Provider;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The weekly report's view of a user's connections: status now, and refreshes and failures in the
 * week, from the history (whose routine refreshes are counted per UTC day: the week's days are
 * taken in UTC, so a report in another time zone may count a few hours of the days around it).
 */
@Component
class ConnectionWeekReports implements ConnectionReports {

    private final DatabaseClient db;

    ConnectionWeekReports(DatabaseClient db) {
        this.db = db;
    }

    @Override
    public Mono<List<ConnectionWeek>> week(String userId, Instant from, Instant to) {
        return db.sql("""
                        SELECT c.id, c.provider, c.label, c.status,
                               coalesce(sum(h.count) FILTER (WHERE h.kind IN ('REFRESHED', 'RECOVERED')), 0)::bigint AS refreshes,
                               coalesce(sum(h.count) FILTER (WHERE h.kind IN ('REFRESH_FAILED', 'REAUTH_REQUIRED')), 0)::bigint AS failures
                          FROM connections c
                          LEFT JOIN connection_history h ON h.connection_id = c.id AND h.day >= :fromDay AND h.day < :toDay
                         WHERE c.user_id = :userId AND c.created_at < :to AND (c.disconnected_at IS NULL OR c.disconnected_at >= :from)
                         GROUP BY c.id
                         ORDER BY c.created_at, c.id""")
                .bind("userId", userId)
                .bind("fromDay", java.time.LocalDate.ofInstant(from, ZoneOffset.UTC))
                .bind("toDay", java.time.LocalDate.ofInstant(to, ZoneOffset.UTC))
                .bind("from", from.atOffset(ZoneOffset.UTC))
                .bind("to", to.atOffset(ZoneOffset.UTC))
                .map(row -> new ConnectionWeek(row.get("id", UUID.class),
                        Provider.valueOf(row.get("provider", String.class)).displayName(), row.get("label", String.class),
                        row.get("status", String.class), row.get("refreshes", Long.class), row.get("failures", Long.class)))
                .all()
                .collectList();
    }
}
