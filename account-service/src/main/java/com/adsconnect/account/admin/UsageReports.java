package com.adsconnect.account.admin;

import com.adsconnect.account.connection.ConnectionStatus;
import com.adsconnect.account.provider.Provider;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Usage and health per UTC day, for support and operations: connections by status and provider
 * (snapshotted every {@code usage-reports.interval}; a day keeps its last snapshot), refreshes by
 * outcome (the connection history), tokens served per calling service (the token access audit) and
 * users active (users' own actions in the audit trail). The current connection counts are also
 * Prometheus gauges ({@code connections.current{status,provider}}), the same on every replica.
 */
@Component
class UsageReports {

    private static final Logger log = LoggerFactory.getLogger(UsageReports.class);

    private final DatabaseClient db;
    private final Clock clock;
    private final Map<String, AtomicLong> current = new ConcurrentHashMap<>();

    UsageReports(DatabaseClient db, Clock clock, MeterRegistry meters) {
        this.db = db;
        this.clock = clock;
        for (ConnectionStatus status : ConnectionStatus.values()) {
            for (Provider provider : Provider.values()) {
                AtomicLong value = new AtomicLong();
                current.put(status.name() + "/" + provider.name(), value);
                Gauge.builder("connections.current", value, AtomicLong::get)
                        .description("Connections by status and provider, as of the last usage snapshot")
                        .tag("status", status.name()).tag("provider", provider.name()).register(meters);
            }
        }
    }

    /** Spring subscribes to this one publisher on every run: the day and the counts are taken per run. */
    @Scheduled(initialDelayString = "${usage-reports.initial-delay:30s}", fixedDelayString = "${usage-reports.interval:5m}")
    Mono<Void> run() {
        return Mono.defer(this::snapshot)
                .onErrorResume(error -> {
                    log.warn("usage snapshot failed; the next run retries: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** Counts connections by status and provider now, as today's snapshot and the gauges; emits the counts. */
    Mono<Map<String, Long>> snapshot() {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        return db.sql("SELECT status, provider, count(*) AS n FROM connections GROUP BY status, provider")
                .map(row -> Map.entry(row.get("status", String.class) + "/" + row.get("provider", String.class), row.get("n", Long.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .flatMap(counts -> {
                    current.forEach((key, value) -> value.set(counts.getOrDefault(key, 0L)));
                    String[] statuses = current.keySet().stream().map(key -> key.split("/")[0]).toArray(String[]::new);
                    String[] providers = current.keySet().stream().map(key -> key.split("/")[1]).toArray(String[]::new);
                    Long[] values = current.keySet().stream().map(key -> counts.getOrDefault(key, 0L)).toArray(Long[]::new);
                    return db.sql("""
                                    INSERT INTO connection_counts_daily (day, status, provider, connections)
                                    SELECT :day, status, provider, n FROM unnest(:statuses::text[], :providers::text[], :values::bigint[])
                                           AS c(status, provider, n)
                                    ON CONFLICT (day, status, provider) DO UPDATE SET connections = excluded.connections""")
                            .bind("day", today).bind("statuses", statuses).bind("providers", providers).bind("values", values)
                            .fetch().rowsUpdated()
                            .thenReturn(counts);
                });
    }

    /**
     * One day's report.
     *
     * @param connections by status, then provider: the day's last snapshot (empty for days without one)
     * @param refreshes   by history kind: {@code REFRESHED}, {@code REFRESH_FAILED}, {@code REAUTH_REQUIRED}, {@code RECOVERED}, ...
     * @param tokensServed by calling service (API key name)
     * @param activeUsers users who did something themselves (signed-in changes in the audit trail)
     */
    record Day(LocalDate day, Map<String, Map<String, Long>> connections, Map<String, Long> refreshes, Map<String, Long> tokensServed,
            long activeUsers) {
    }

    /** The days in [from, to), newest first. */
    Mono<List<Day>> days(LocalDate from, LocalDate to) {
        Mono<Map<LocalDate, Map<String, Map<String, Long>>>> connections = db.sql("""
                        SELECT day, status, provider, connections FROM connection_counts_daily WHERE day >= :from AND day < :to""")
                .bind("from", from).bind("to", to)
                .map(row -> new Object[] {row.get("day", LocalDate.class), row.get("status", String.class), row.get("provider", String.class),
                        row.get("connections", Long.class)})
                .all()
                .collect(TreeMap::new, (Map<LocalDate, Map<String, Map<String, Long>>> byDay, Object[] row) -> byDay
                        .computeIfAbsent((LocalDate) row[0], day -> new TreeMap<>())
                        .computeIfAbsent((String) row[1], status -> new TreeMap<>())
                        .put((String) row[2], (Long) row[3]));
        Mono<Map<LocalDate, Map<String, Long>>> refreshes = perDay("""
                SELECT day, kind AS k, sum(count)::bigint AS n FROM connection_history WHERE day >= :from AND day < :to GROUP BY day, kind""",
                from, to);
        Mono<Map<LocalDate, Map<String, Long>>> tokens = perDay("""
                SELECT day, key_name AS k, sum(reads)::bigint AS n FROM token_reads_daily WHERE day >= :from AND day < :to GROUP BY day, key_name""",
                from, to);
        Mono<Map<LocalDate, Map<String, Long>>> active = perDay("""
                SELECT (occurred_at AT TIME ZONE 'UTC')::date AS day, 'users' AS k, count(DISTINCT user_id) AS n FROM audit_events
                 WHERE actor_type = 'USER' AND occurred_at >= :from::date AND occurred_at < :to::date GROUP BY 1""", from, to);
        return Mono.zip(connections, refreshes, tokens, active).map(parts -> {
            List<Day> days = new java.util.ArrayList<>();
            for (LocalDate day = to.minusDays(1); !day.isBefore(from); day = day.minusDays(1)) {
                days.add(new Day(day, parts.getT1().getOrDefault(day, Map.of()), parts.getT2().getOrDefault(day, Map.of()),
                        parts.getT3().getOrDefault(day, Map.of()), parts.getT4().getOrDefault(day, Map.of()).getOrDefault("users", 0L)));
            }
            return days;
        });
    }

    private Mono<Map<LocalDate, Map<String, Long>>> perDay(String sql, LocalDate from, LocalDate to) {
        return db.sql(sql).bind("from", from).bind("to", to)
                .map(row -> new Object[] {row.get("day", LocalDate.class), row.get("k", String.class), row.get("n", Long.class)})
                .all()
                .collect(TreeMap::new, (Map<LocalDate, Map<String, Long>> byDay, Object[] row) -> byDay
                        .computeIfAbsent((LocalDate) row[0], day -> new TreeMap<>()).put((String) row[1], (Long) row[2]));
    }
}
