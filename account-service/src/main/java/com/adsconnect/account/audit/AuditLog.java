package com.adsconnect.account.audit;

import io.r2dbc.postgresql.codec.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes and reads the audit trail. {@link #record} joins the caller's transaction, so an
 * audited change and its audit event commit or roll back together.
 */
@Component
public class AuditLog {

    private final DatabaseClient db;
    private final JsonMapper json;

    AuditLog(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    public Mono<Void> record(AuditEntry entry) {
        return db.sql("""
                        INSERT INTO audit_events (user_id, actor_type, actor_id, action, source_ip, user_agent, before, after)
                        VALUES (:userId, :actorType, :actorId, :action, :sourceIp, :userAgent, :before, :after)""")
                .bind("userId", entry.userId())
                .bind("actorType", entry.actor().type().name())
                .bind("actorId", Parameter.fromOrEmpty(entry.actor().id(), String.class))
                .bind("action", entry.action())
                .bind("sourceIp", Parameter.fromOrEmpty(entry.origin().sourceIp(), String.class))
                .bind("userAgent", Parameter.fromOrEmpty(entry.origin().userAgent(), String.class))
                .bind("before", Parameter.fromOrEmpty(toJson(entry.before()), Json.class))
                .bind("after", Parameter.fromOrEmpty(toJson(entry.after()), Json.class))
                .fetch().rowsUpdated()
                .then();
    }

    /** One page of the user's trail, newest first, strictly older than {@code beforeId} when given. */
    public Mono<List<AuditEventView>> page(String userId, int limit, Long beforeId) {
        return db.sql("""
                        SELECT id, action, actor_type, actor_id, occurred_at, source_ip, user_agent, before, after
                        FROM audit_events
                        WHERE user_id = :userId AND id < :beforeId
                        ORDER BY id DESC
                        LIMIT :limit""")
                .bind("userId", userId)
                .bind("beforeId", beforeId == null ? Long.MAX_VALUE : beforeId)
                .bind("limit", limit)
                .map((row, meta) -> new AuditEventView(
                        String.valueOf(row.get("id", Long.class)),
                        row.get("action", String.class),
                        row.get("actor_type", String.class),
                        row.get("actor_id", String.class),
                        row.get("occurred_at", OffsetDateTime.class).toInstant(),
                        row.get("source_ip", String.class),
                        row.get("user_agent", String.class),
                        readJson(row.get("before", Json.class)),
                        readJson(row.get("after", Json.class))))
                .all()
                .collectList();
    }

    /** Deletes events older than the cutoff; returns how many. */
    public Mono<Long> deleteOlderThan(Instant cutoff) {
        return db.sql("DELETE FROM audit_events WHERE occurred_at < :cutoff")
                .bind("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                .fetch().rowsUpdated();
    }

    /** Removes the personal data summaries of a purged user's events, keeping the trail itself. */
    public Mono<Long> scrubSummaries(String userId) {
        return db.sql("UPDATE audit_events SET before = NULL, after = NULL, source_ip = NULL, user_agent = NULL WHERE user_id = :userId")
                .bind("userId", userId)
                .fetch().rowsUpdated();
    }

    private JsonNode readJson(Json value) {
        return value == null ? null : json.readTree(value.asString());
    }

    private Json toJson(Map<String, Object> value) {
        return value == null ? null : Json.of(json.writeValueAsString(value));
    }
}
