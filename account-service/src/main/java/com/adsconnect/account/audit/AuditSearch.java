package com.adsconnect.account.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit trail across users, for support and compliance: by user, actor, action and time range,
 * newest first. {@link #stream} reads it page by page (keyset, {@value #EXPORT_PAGE} rows a page)
 * and asks for the next page only once the previous one has been taken downstream, so an export of
 * any size holds one page in memory and a slow reader slows the reading.
 */
@Component
public class AuditSearch {

    static final int EXPORT_PAGE = 1000;

    private final DatabaseClient db;
    private final JsonMapper json;
    private final Counter exportPages;

    AuditSearch(DatabaseClient db, JsonMapper json, MeterRegistry meters) {
        this.db = db;
        this.json = json;
        this.exportPages = Counter.builder("audit.export.pages").description("Pages read for audit exports").register(meters);
    }

    /** What to look for: every field optional; {@code actor} matches the actor's id (a user id, a service key's name, a job). */
    public record Query(String userId, String actor, String action, Instant from, Instant to) {
    }

    /** An audit event with whose it is. */
    @Schema(name = "AuditRecord")
    public record Record(String id, String userId, String action, String actorType, @Nullable String actorId, Instant occurredAt,
            @Nullable String sourceIp, @Nullable String userAgent, @Nullable JsonNode before, @Nullable JsonNode after) {
    }

    /** One page, newest first, strictly older than {@code beforeId} when given. */
    public Mono<List<Record>> page(Query query, int limit, Long beforeId) {
        return read(query, limit, beforeId).collectList();
    }

    /** Every matching event, newest first, a page at a time as the reader takes them. */
    public Flux<Record> stream(Query query) {
        return pagesFrom(query, null);
    }

    private Flux<Record> pagesFrom(Query query, Long beforeId) {
        return read(query, EXPORT_PAGE, beforeId)
                .collectList()
                .doOnNext(page -> exportPages.increment())
                .flatMapMany(page -> page.size() < EXPORT_PAGE ? Flux.fromIterable(page)
                        : Flux.fromIterable(page).concatWith(Flux.defer(() -> pagesFrom(query, Long.parseLong(page.getLast().id())))));
    }

    private Flux<Record> read(Query query, int limit, Long beforeId) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("userId", Parameter.fromOrEmpty(query.userId(), String.class));
        values.put("actor", Parameter.fromOrEmpty(query.actor(), String.class));
        values.put("action", Parameter.fromOrEmpty(query.action(), String.class));
        values.put("from", Parameter.fromOrEmpty(query.from() == null ? null : query.from().atOffset(ZoneOffset.UTC), OffsetDateTime.class));
        values.put("to", Parameter.fromOrEmpty(query.to() == null ? null : query.to().atOffset(ZoneOffset.UTC), OffsetDateTime.class));
        values.put("beforeId", beforeId == null ? Long.MAX_VALUE : beforeId);
        values.put("limit", limit);
        return db.sql("""
                        SELECT id, user_id, action, actor_type, actor_id, occurred_at, source_ip, user_agent, before, after
                          FROM audit_events
                         WHERE id < :beforeId
                           AND (CAST(:userId AS text) IS NULL OR user_id = :userId)
                           AND (CAST(:actor AS text) IS NULL OR actor_id = :actor)
                           AND (CAST(:action AS text) IS NULL OR action = :action)
                           AND (CAST(:from AS timestamptz) IS NULL OR occurred_at >= :from)
                           AND (CAST(:to AS timestamptz) IS NULL OR occurred_at < :to)
                         ORDER BY id DESC
                         LIMIT :limit""")
                .bindValues(values)
                .map(this::toRecord)
                .all();
    }

    private Record toRecord(Readable row) {
        return new Record(String.valueOf(row.get("id", Long.class)), row.get("user_id", String.class), row.get("action", String.class),
                row.get("actor_type", String.class), row.get("actor_id", String.class),
                row.get("occurred_at", OffsetDateTime.class).toInstant(), row.get("source_ip", String.class),
                row.get("user_agent", String.class), readJson(row.get("before", Json.class)), readJson(row.get("after", Json.class)));
    }

    private JsonNode readJson(Json value) {
        return value == null ? null : json.readTree(value.asString());
    }
}
