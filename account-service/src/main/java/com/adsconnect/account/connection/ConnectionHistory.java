package com.adsconnect.account.connection;

import com.adsconnect.account.audit.Actor;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * A connection's refresh and status timeline: written by {@link ConnectionLifecycle} in the
 * transaction of each transition and refresh outcome, read by the history API, trimmed by
 * retention. Transitions and failed attempts are entries of their own; a day's routine refreshes
 * are one entry per connection and UTC day ({@code count}, {@code occurredAt} the latest), counted
 * up for a whole batch in one statement. The timeline is ordered by day, newest first, and within
 * a day by entry, newest first (so a day's refresh count comes after that day's transitions).
 */
@Component
public class ConnectionHistory {

    /** What happened. */
    public enum Kind { CONNECTED, REAUTHORIZED, REFRESHED, REFRESH_FAILED, REAUTH_REQUIRED, RECOVERED, DISCONNECTED }

    /**
     * One entry.
     *
     * @param status    the connection's status after it
     * @param errorCode the provider's error code of a failure, or a disconnection's cause
     * @param actor     who caused it: {@code user}, {@code system:token-refresher}, ...
     * @param count     how many: 1, or a day's routine refreshes
     * @param occurredAt when (for a day's refreshes: the latest)
     */
    @Schema(name = "ConnectionHistoryEntry")
    public record Entry(@Schema(example = "6") String id, @Schema(example = "REFRESH_FAILED") Kind kind,
            @Schema(example = "REFRESH_FAILING") ConnectionStatus status, @Schema(example = "server_error") @Nullable String errorCode,
            @Schema(example = "system:token-refresher") @Nullable String actor,
            @Schema(example = "1", description = "how many times it happened that day (routine refreshes are one entry a day)") int count,
            @Schema(example = "2026-12-01T09:30:00Z") Instant occurredAt) {
    }

    /** Where a page of the timeline ended: the next one starts after this day and entry. */
    record Position(LocalDate day, long id) {
    }

    private final DatabaseClient db;

    ConnectionHistory(DatabaseClient db) {
        this.db = db;
    }

    Mono<Void> record(Connection after, Kind kind, String errorCode, Actor actor) {
        return db.sql("""
                        INSERT INTO connection_history (connection_id, user_id, kind, status, error_code, actor)
                        VALUES (:connectionId, :userId, :kind, :status, :errorCode, :actor)""")
                .bind("connectionId", after.id())
                .bind("userId", after.userId())
                .bind("kind", kind.name())
                .bind("status", after.status().name())
                .bind("errorCode", Parameter.fromOrEmpty(errorCode, String.class))
                .bind("actor", actorOf(actor))
                .fetch().rowsUpdated().then();
    }

    /**
     * Routine refreshes of healthy connections (each named once): counted into each one's entry of
     * the day, one statement for the whole batch.
     */
    Mono<Void> recordRefreshed(UUID[] connectionIds, String[] owners, Actor actor) {
        return db.sql("""
                        INSERT INTO connection_history (connection_id, user_id, kind, status, actor)
                        SELECT id, owner, 'REFRESHED', 'ACTIVE', :actor FROM unnest(:ids::uuid[], :owners::text[]) AS r(id, owner)
                        ON CONFLICT (connection_id, day) WHERE kind = 'REFRESHED'
                        DO UPDATE SET count = connection_history.count + 1, occurred_at = excluded.occurred_at""")
                .bind("ids", connectionIds)
                .bind("owners", owners)
                .bind("actor", actorOf(actor))
                .fetch().rowsUpdated().then();
    }

    /** An entry and where it stands in the timeline. */
    record Positioned(Entry entry, Position position) {
    }

    /** One page of a connection's timeline, newest first, strictly after {@code after} when given. */
    Mono<List<Positioned>> page(UUID connectionId, int limit, Position after) {
        return db.sql("""
                        SELECT id, kind, status, error_code, actor, count, day, occurred_at FROM connection_history
                        WHERE connection_id = :connectionId AND (day, id) < (:day, :id)
                        ORDER BY day DESC, id DESC
                        LIMIT :limit""")
                .bind("connectionId", connectionId)
                .bind("day", after == null ? LocalDate.of(9999, 12, 31) : after.day())
                .bind("id", after == null ? Long.MAX_VALUE : after.id())
                .bind("limit", limit)
                .map((row, meta) -> new Positioned(new Entry(String.valueOf(row.get("id", Long.class)),
                        Kind.valueOf(row.get("kind", String.class)), ConnectionStatus.valueOf(row.get("status", String.class)),
                        row.get("error_code", String.class), row.get("actor", String.class), row.get("count", Integer.class),
                        row.get("occurred_at", OffsetDateTime.class).toInstant()),
                        new Position(row.get("day", LocalDate.class), row.get("id", Long.class))))
                .all()
                .collectList();
    }

    /** Retention: the days before the cutoff's (UTC); emits how many entries. */
    public Mono<Long> deleteOlderThan(Instant cutoff) {
        return db.sql("DELETE FROM connection_history WHERE day < :cutoff")
                .bind("cutoff", LocalDate.ofInstant(cutoff, ZoneOffset.UTC)).fetch().rowsUpdated();
    }

    private static String actorOf(Actor actor) {
        return switch (actor.type()) {
            case USER -> "user";
            case SYSTEM -> "system:" + actor.id();
            case SERVICE -> "service:" + actor.id();
            case WEBHOOK -> "webhook";
        };
    }
}
