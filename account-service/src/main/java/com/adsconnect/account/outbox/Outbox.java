package com.adsconnect.account.outbox;

import com.adsconnect.account.tracing.TraceContexts;
import io.r2dbc.postgresql.codec.Json;
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
 *
 * <p>Each event keeps the {@code traceparent} of the work that wrote it, so its trace continues on
 * Kafka ({@link TraceContexts}).
 */
@Component
public class Outbox {

    /** CloudEvents types. Versioned: a breaking payload change gets a new type. */
    public static final String TOKEN_EXPIRING = "dev.ads-connect.amazon.token.expiring.v1";
    public static final String CONNECTION_STATUS_CHANGED = "dev.ads-connect.amazon.connection.status-changed.v1";

    private final DatabaseClient db;
    private final JsonMapper json;
    private final EventsProperties properties;
    private final TraceContexts traces;

    Outbox(DatabaseClient db, JsonMapper json, EventsProperties properties, TraceContexts traces) {
        this.db = db;
        this.json = json;
        this.properties = properties;
        this.traces = traces;
    }

    public Mono<UUID> tokenExpiring(UUID connectionId, Map<String, Object> payload) {
        return write(properties.topics().tokenExpiring(), connectionId, TOKEN_EXPIRING, payload);
    }

    /**
     * One {@code token-expiring} event per claimed connection, in the order given, in one
     * statement: the payload is built from the connection row as the caller's claim left it
     * (generation, lease expiry), under its row lock as {@link #write} takes it, without a round
     * trip of the rows through this service. {@code reasons[i]} is the claim's reason for
     * {@code connectionIds[i]}. Fails if any connection does not exist (no event is written then,
     * the caller's transaction rolls back).
     */
    public Mono<Void> tokenExpiring(UUID[] connectionIds, String[] reasons) {
        if (connectionIds.length == 0) {
            return Mono.empty();
        }
        return traces.withTraceparent(traceparent -> db.sql("""
                        INSERT INTO outbox_events (event_id, topic, event_key, event_type, subject, payload, trace_parent)
                        SELECT gen_random_uuid(), :topic, c.id::text, :type, 'connections/' || c.id,
                               jsonb_build_object('connectionId', c.id::text, 'userId', c.user_id, 'provider', c.provider,
                                   'region', c.region, 'generation', c.lease_generation, 'reason', r.reason,
                                   'accessTokenExpiresAt', to_char(c.access_token_expires_at AT TIME ZONE 'UTC', :instant),
                                   'leaseExpiresAt', to_char(c.lease_expires_at AT TIME ZONE 'UTC', :instant)),
                               :traceparent
                          FROM unnest(:ids::uuid[], :reasons::text[]) WITH ORDINALITY AS r(id, reason, n)
                          JOIN connections c ON c.id = r.id
                         ORDER BY r.n
                           FOR NO KEY UPDATE OF c""")
                .bind("ids", connectionIds)
                .bind("reasons", reasons)
                .bind("topic", properties.topics().tokenExpiring())
                .bind("type", TOKEN_EXPIRING)
                // ISO-8601 in UTC, as Instant.toString() writes it (microseconds: PostgreSQL's precision)
                .bind("instant", "YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"")
                .bind("traceparent", Parameter.fromOrEmpty(traceparent, String.class))
                .fetch().rowsUpdated())
                .flatMap(rows -> rows == connectionIds.length ? Mono.<Void>empty()
                        : Mono.error(new IllegalStateException((connectionIds.length - rows) + " of " + connectionIds.length
                                + " connections to write events for do not exist")));
    }

    public Mono<UUID> connectionStatusChanged(UUID connectionId, Map<String, Object> payload) {
        return write(properties.topics().connectionStatus(), connectionId, CONNECTION_STATUS_CHANGED, payload);
    }

    private Mono<UUID> write(String topic, UUID connectionId, String type, Map<String, Object> payload) {
        UUID eventId = UUID.randomUUID();
        return traces.withTraceparent(traceparent -> db.sql("""
                        INSERT INTO outbox_events (event_id, topic, event_key, event_type, subject, payload, trace_parent)
                        SELECT :eventId, :topic, :key, :type, :subject, :payload, :traceparent
                          FROM connections WHERE id = :connectionId
                           FOR NO KEY UPDATE""")
                .bind("connectionId", connectionId)
                .bind("eventId", eventId)
                .bind("topic", topic)
                .bind("key", connectionId.toString())
                .bind("type", type)
                .bind("subject", Parameter.from("connections/" + connectionId))
                .bind("payload", Json.of(json.writeValueAsString(payload)))
                .bind("traceparent", Parameter.fromOrEmpty(traceparent, String.class))
                .fetch().rowsUpdated())
                .flatMap(rows -> rows == 1 ? Mono.just(eventId)
                        : Mono.error(new IllegalStateException("no connection " + connectionId + " to write an event for")));
    }
}
