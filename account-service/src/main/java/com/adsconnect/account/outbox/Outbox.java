package com.adsconnect.account.outbox;

import io.r2dbc.postgresql.codec.Json;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes events into the outbox table inside the caller's transaction, so an event exists exactly
 * when the change it announces committed. {@link OutboxRelay} publishes them.
 *
 * <p>Every event is about a connection, and is written while the transaction holds that
 * connection's row lock (taken here if the caller has not taken it already): two transactions
 * writing events for one connection are serialised, so the later one's event has the higher id and
 * commits after the earlier one's. That is what keeps a connection's events in order on Kafka.
 */
@Component
public class Outbox {

    /** CloudEvents types. Versioned: a breaking payload change gets a new type. */
    public static final String TOKEN_EXPIRING = "dev.ads-connect.amazon.token.expiring.v1";
    public static final String CONNECTION_STATUS_CHANGED = "dev.ads-connect.amazon.connection.status-changed.v1";

    private final DatabaseClient db;
    private final JsonMapper json;
    private final EventsProperties properties;

    Outbox(DatabaseClient db, JsonMapper json, EventsProperties properties) {
        this.db = db;
        this.json = json;
        this.properties = properties;
    }

    public Mono<UUID> tokenExpiring(UUID connectionId, Map<String, Object> payload) {
        return write(properties.topics().tokenExpiring(), connectionId, TOKEN_EXPIRING, payload);
    }

    /**
     * One {@code token-expiring} event per entry, in list order, in one statement: ids are taken in
     * that order, and each event is written under its connection's row lock as {@link #write} does.
     * Fails if any connection does not exist (no event is written then, the caller's transaction
     * rolls back).
     */
    public Mono<Void> tokenExpiring(List<ConnectionEvent> events) {
        if (events.isEmpty()) {
            return Mono.empty();
        }
        UUID[] eventIds = new UUID[events.size()];
        UUID[] connectionIds = new UUID[events.size()];
        String[] payloads = new String[events.size()];
        for (int i = 0; i < events.size(); i++) {
            eventIds[i] = UUID.randomUUID();
            connectionIds[i] = events.get(i).connectionId();
            payloads[i] = json.writeValueAsString(events.get(i).payload());
        }
        return db.sql("""
                        INSERT INTO outbox_events (event_id, topic, event_key, event_type, subject, payload)
                        SELECT e.event_id, :topic, c.id::text, :type, 'connections/' || c.id, e.payload::jsonb
                          FROM unnest(:eventIds::uuid[], :connectionIds::uuid[], :payloads::text[])
                               WITH ORDINALITY AS e(event_id, connection_id, payload, n)
                          JOIN connections c ON c.id = e.connection_id
                         ORDER BY e.n
                           FOR NO KEY UPDATE OF c""")
                .bind("eventIds", eventIds)
                .bind("connectionIds", connectionIds)
                .bind("payloads", payloads)
                .bind("topic", properties.topics().tokenExpiring())
                .bind("type", TOKEN_EXPIRING)
                .fetch().rowsUpdated()
                .flatMap(rows -> rows == events.size() ? Mono.<Void>empty()
                        : Mono.error(new IllegalStateException((events.size() - rows) + " of " + events.size()
                                + " connections to write events for do not exist")));
    }

    /** An event's connection and payload. */
    public record ConnectionEvent(UUID connectionId, Map<String, Object> payload) {
    }

    public Mono<UUID> connectionStatusChanged(UUID connectionId, Map<String, Object> payload) {
        return write(properties.topics().connectionStatus(), connectionId, CONNECTION_STATUS_CHANGED, payload);
    }

    private Mono<UUID> write(String topic, UUID connectionId, String type, Map<String, Object> payload) {
        UUID eventId = UUID.randomUUID();
        return db.sql("""
                        INSERT INTO outbox_events (event_id, topic, event_key, event_type, subject, payload)
                        SELECT :eventId, :topic, :key, :type, :subject, :payload
                          FROM connections WHERE id = :connectionId
                           FOR NO KEY UPDATE""")
                .bind("connectionId", connectionId)
                .bind("eventId", eventId)
                .bind("topic", topic)
                .bind("key", connectionId.toString())
                .bind("type", type)
                .bind("subject", Parameter.from("connections/" + connectionId))
                .bind("payload", Json.of(json.writeValueAsString(payload)))
                .fetch().rowsUpdated()
                .flatMap(rows -> rows == 1 ? Mono.just(eventId)
                        : Mono.error(new IllegalStateException("no connection " + connectionId + " to write an event for")));
    }
}
