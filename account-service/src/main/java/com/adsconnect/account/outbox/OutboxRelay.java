package com.adsconnect.account.outbox;

import com.adsconnect.account.tracing.Untraced;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.postgresql.codec.Json;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Moves outbox rows to Kafka. One relay at a time across all replicas (a transaction-scoped
 * advisory lock). A batch is the committed rows in id order; after Kafka acknowledged all of it,
 * exactly those rows are deleted, in the same transaction: when Kafka is down the rows wait; when
 * the commit fails after the acknowledgement, the batch is sent again and consumers drop the
 * duplicates by CloudEvents id.
 *
 * <p>Ids are taken at INSERT and rows become visible at COMMIT, so a row can become visible after
 * rows with higher ids were published: it goes out with a later batch. Rows are therefore deleted
 * by the ids read, never by an id range, or such a row would be deleted unpublished. Order per
 * connection still holds: {@link Outbox} writes an event only while holding its connection's row
 * lock, so the same connection's events commit in id order and never overtake each other.
 */
@Component
public class OutboxRelay {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    /** Arbitrary, fixed: the advisory lock that elects the relaying replica. */
    private static final long RELAY_LOCK = 0x6f7574626f78L;

    private final DatabaseClient db;
    private final KafkaEventPublisher publisher;
    private final EventsProperties properties;
    private final TransactionalOperator transaction;
    private final Counter published;
    private final AtomicLong pending = new AtomicLong();

    OutboxRelay(DatabaseClient db, KafkaEventPublisher publisher, EventsProperties properties, TransactionalOperator transaction,
            MeterRegistry meters) {
        this.db = db;
        this.publisher = publisher;
        this.properties = properties;
        this.transaction = transaction;
        this.published = Counter.builder("outbox.events.published").description("outbox events acknowledged by Kafka").register(meters);
        Gauge.builder("outbox.events.pending", pending, AtomicLong::get).description("outbox events waiting for Kafka").register(meters);
    }

    @Untraced
    @Scheduled(initialDelayString = "${kafka.relay-initial-delay:0s}", fixedDelayString = "${kafka.relay-interval:200ms}")
    Mono<Void> run() {
        return Mono.defer(this::relayAll)
                .onErrorResume(error -> {
                    log.warn("outbox relay paused, rows stay until Kafka answers: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** Relays batches until the outbox is empty or another replica holds the relay; emits how many were published. */
    public Mono<Long> relayAll() {
        return relayBatch()
                .expand(count -> count >= properties.relayBatchSize() ? relayBatch() : Mono.empty())
                .reduce(0L, Long::sum)
                .flatMap(total -> countPending().doOnNext(pending::set).thenReturn(total));
    }

    private Mono<Long> relayBatch() {
        Mono<Long> batch = db.sql("SELECT pg_try_advisory_xact_lock(:lock) AS locked").bind("lock", RELAY_LOCK)
                .map(row -> row.get("locked", Boolean.class)).one()
                .flatMap(locked -> !locked ? Mono.just(0L) : db.sql("""
                                SELECT id, event_id, topic, event_key, event_type, subject, occurred_at, payload, trace_parent
                                FROM outbox_events ORDER BY id LIMIT :limit""")
                        .bind("limit", properties.relayBatchSize())
                        .map(row -> new OutboxEvent(row.get("id", Long.class), row.get("event_id", UUID.class),
                                row.get("topic", String.class), row.get("event_key", String.class),
                                row.get("event_type", String.class), row.get("subject", String.class),
                                row.get("occurred_at", OffsetDateTime.class).toInstant(),
                                row.get("payload", Json.class).asString(), row.get("trace_parent", String.class)))
                        .all()
                        .collectList()
                        .flatMap(events -> events.isEmpty() ? Mono.just(0L)
                                : publisher.publish(events)
                                        .then(db.sql("DELETE FROM outbox_events WHERE id = ANY(:ids)")
                                                .bind("ids", events.stream().map(OutboxEvent::sequence).toArray(Long[]::new))
                                                .fetch().rowsUpdated())
                                        .doOnNext(published::increment)));
        return transaction.transactional(batch);
    }

    private Mono<Long> countPending() {
        return db.sql("SELECT count(*) AS n FROM outbox_events").map(row -> row.get("n", Long.class)).one();
    }
}
