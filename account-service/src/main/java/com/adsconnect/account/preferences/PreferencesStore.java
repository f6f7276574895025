package com.adsconnect.account.preferences;

import io.r2dbc.postgresql.codec.Json;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** SQL for current preferences and their history. Callers own the transactions. */
@Repository
class PreferencesStore {

    private final DatabaseClient db;
    private final JsonMapper json;

    PreferencesStore(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    Mono<StoredPreferences> current(String userId) {
        return db.sql("SELECT schema_version, document, revision, updated_at FROM user_preferences WHERE user_id = :userId")
                .bind("userId", userId)
                .map(this::toStored)
                .one();
    }

    /** Writes a new current state and its history entry; {@code revision} is the previous one plus one. */
    Mono<Instant> write(String userId, JsonNode document, int revision, String change) {
        Json value = Json.of(json.writeValueAsString(document));
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        Mono<Long> upsert = db.sql("""
                        INSERT INTO user_preferences (user_id, schema_version, document, revision, updated_at)
                        VALUES (:userId, :version, :document, :revision, :now)
                        ON CONFLICT (user_id) DO UPDATE SET schema_version = EXCLUDED.schema_version,
                            document = EXCLUDED.document, revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at""")
                .bind("userId", userId)
                .bind("version", PreferencesSchema.CURRENT_VERSION)
                .bind("document", value)
                .bind("revision", revision)
                .bind("now", now)
                .fetch().rowsUpdated();
        Mono<Long> history = db.sql("""
                        INSERT INTO user_preference_history (user_id, revision, schema_version, document, change, changed_at)
                        VALUES (:userId, :revision, :version, :document, :change, :now)""")
                .bind("userId", userId)
                .bind("revision", revision)
                .bind("version", PreferencesSchema.CURRENT_VERSION)
                .bind("document", value)
                .bind("change", change)
                .bind("now", now)
                .fetch().rowsUpdated();
        return upsert.then(history).thenReturn(now.toInstant());
    }

    Flux<HistoryRow> history(String userId, int limit, int beforeRevision) {
        return db.sql("""
                        SELECT revision, schema_version, document, change, changed_at FROM user_preference_history
                        WHERE user_id = :userId AND revision < :before
                        ORDER BY revision DESC LIMIT :limit""")
                .bind("userId", userId)
                .bind("before", beforeRevision)
                .bind("limit", limit)
                .map(this::toHistoryRow)
                .all();
    }

    Mono<HistoryRow> historyEntry(String userId, int revision) {
        return db.sql("""
                        SELECT revision, schema_version, document, change, changed_at FROM user_preference_history
                        WHERE user_id = :userId AND revision = :revision""")
                .bind("userId", userId)
                .bind("revision", revision)
                .map(this::toHistoryRow)
                .one();
    }

    Mono<Long> deleteAll(String userId) {
        return db.sql("DELETE FROM user_preference_history WHERE user_id = :userId").bind("userId", userId).fetch().rowsUpdated()
                .then(db.sql("DELETE FROM user_preferences WHERE user_id = :userId").bind("userId", userId).fetch().rowsUpdated());
    }

    record HistoryRow(int revision, int schemaVersion, JsonNode document, String change, OffsetDateTime changedAt) {
    }

    /** A user's address and stored preferences (null: all defaults). */
    record UserWithPreferences(String userId, String email, boolean deleted, Instant createdAt, StoredPreferences preferences) {
    }

    Mono<UserWithPreferences> userWithPreferences(String userId) {
        return db.sql("""
                        SELECT u.id, u.email, u.deleted_at IS NOT NULL AS deleted, u.created_at, p.schema_version, p.document, p.revision, p.updated_at
                        FROM users u LEFT JOIN user_preferences p ON p.user_id = u.id
                        WHERE u.id = :userId""")
                .bind("userId", userId)
                .map(this::toUserWithPreferences)
                .one();
    }

    /** Users not deleted, by id, after {@code afterUserId}, with their stored preferences. */
    Flux<UserWithPreferences> usersWithPreferences(String afterUserId, int limit) {
        return db.sql("""
                        SELECT u.id, u.email, false AS deleted, u.created_at, p.schema_version, p.document, p.revision, p.updated_at
                        FROM users u LEFT JOIN user_preferences p ON p.user_id = u.id
                        WHERE u.deleted_at IS NULL AND u.id > :after
                        ORDER BY u.id
                        LIMIT :limit""")
                .bind("after", afterUserId == null ? "" : afterUserId)
                .bind("limit", limit)
                .map(this::toUserWithPreferences)
                .all();
    }

    private UserWithPreferences toUserWithPreferences(Readable row) {
        return new UserWithPreferences(row.get("id", String.class), row.get("email", String.class), row.get("deleted", Boolean.class),
                row.get("created_at", OffsetDateTime.class).toInstant(),
                row.get("schema_version", Integer.class) == null ? null : toStored(row));
    }

    private StoredPreferences toStored(Readable row) {
        return new StoredPreferences(row.get("schema_version", Integer.class),
                json.readTree(row.get("document", Json.class).asString()),
                row.get("revision", Integer.class),
                row.get("updated_at", OffsetDateTime.class).toInstant());
    }

    private HistoryRow toHistoryRow(Readable row) {
        return new HistoryRow(row.get("revision", Integer.class), row.get("schema_version", Integer.class),
                json.readTree(row.get("document", Json.class).asString()),
                row.get("change", String.class), row.get("changed_at", OffsetDateTime.class));
    }
}
