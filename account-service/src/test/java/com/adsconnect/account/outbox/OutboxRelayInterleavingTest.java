package com.adsconnect.account.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.EventsOnKafka;
import com.adsconnect.account.support.EventsOnKafka.Event;
import com.adsconnect.devinfra.postgres.HeldTransaction;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The relay against commits that arrive late: a transaction that took its id before a batch was
 * read and commits while that batch is in flight to a stalled broker. The scheduled relay is off;
 * each test runs the relay itself, and holds transactions open over plain JDBC.
 */
@AccountServiceTest
@TestPropertySource(properties = "kafka.relay-initial-delay=1h")
class OutboxRelayInterleavingTest {

    private static final String TOPIC = "amazon.connection-status";

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    OutboxRelay relay;

    @Autowired
    Outbox outbox;

    @Autowired
    TransactionalOperator transaction;

    @Autowired
    Environment environment;

    Db db;

    @BeforeEach
    void emptyOutbox() {
        db = new Db(infrastructure);
        relay.relayAll().block(Duration.ofSeconds(30));
        assertThat(db.count("SELECT count(*) FROM outbox_events")).isZero();
    }

    @AfterEach
    void brokerFlows() {
        infrastructure.kafka().resume();
    }

    @Test
    void anEventCommittedWhileABatchIsInFlightIsPublishedLaterNotDeleted() throws Exception {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        String c = UUID.randomUUID().toString();
        try (HeldTransaction late = db.hold()) {
            insertEvent(null, a);
            long lateId = insertEvent(late, b);   // its id is taken now, between a's and c's
            long cId = insertEvent(null, c);
            assertThat(lateId).isLessThan(cId);

            infrastructure.kafka().stall();
            CompletableFuture<Long> firstRun = relay.relayAll().toFuture();
            // the relay read its batch (a and c; b is not committed) and waits for the stalled broker
            await().atMost(Duration.ofSeconds(20)).until(this::relayWaitsOnKafka);
            late.commit();
            infrastructure.kafka().resume();

            assertThat(firstRun.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        }
        assertThat(db.count("SELECT count(*) FROM outbox_events WHERE event_key = ?", b)).as("b is still to be published").isEqualTo(1);
        assertThat(relay.relayAll().block(Duration.ofSeconds(30))).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM outbox_events")).isZero();

        List<Event> events = read(Set.of(a, b, c), 3);
        assertThat(events).extracting(Event::key).containsExactlyInAnyOrder(a, b, c);
        assertThat(events.stream().map(event -> event.headers().get("ce_id")).distinct()).hasSize(3);
    }

    @Test
    void aConnectionsEventsLeaveInCommitOrderWhenTheirWritersOverlap() throws Exception {
        String connection = UUID.randomUUID().toString();
        db.execute("INSERT INTO users (id) VALUES ('user_outbox_order') ON CONFLICT DO NOTHING");
        db.execute("INSERT INTO connections (id, user_id, provider, region, account_key, status) "
                + "VALUES (?::uuid, 'user_outbox_order', 'AMAZON', 'NA', ?, 'ACTIVE')", connection, connection);
        CompletableFuture<UUID> second;
        try (HeldTransaction first = db.hold()) {
            // the first writer holds the connection's row, as every status change does, and writes its event
            first.execute("SELECT id FROM connections WHERE id = ?::uuid FOR NO KEY UPDATE", connection);
            insertEvent(first, connection, "FIRST");

            // a second writer of the same connection's event, through the application
            second = transaction.transactional(outbox.connectionStatusChanged(UUID.fromString(connection),
                    Map.of("connectionId", connection, "reason", "SECOND"))).toFuture();
            await().atMost(Duration.ofSeconds(20)).until(() -> second.isDone() || db.waitsForLock("%INSERT INTO outbox_events%"));
            relay.relayAll().block(Duration.ofSeconds(30));
            first.commit();
        }
        second.get(20, TimeUnit.SECONDS);
        relay.relayAll().block(Duration.ofSeconds(30));

        List<Event> events = read(Set.of(connection), 2);
        assertThat(events.stream().sorted(Comparator.comparingLong(Event::offset))
                .map(event -> event.value().replaceAll(".*\"reason\": ?\"(\\w+)\".*", "$1")))
                .as("the connection's events, in the order Kafka holds them")
                .containsExactly("FIRST", "SECOND");
    }

    @Test
    void anEventForAConnectionThatDoesNotExistIsRefusedNotWrittenSilently() {
        UUID nobody = UUID.randomUUID();
        assertThat(transaction.transactional(outbox.connectionStatusChanged(nobody, Map.of("reason", "X")))
                .onErrorResume(IllegalStateException.class, e -> reactor.core.publisher.Mono.empty())
                .blockOptional()).isEmpty();
        assertThat(db.count("SELECT count(*) FROM outbox_events WHERE event_key = ?", nobody.toString())).isZero();
    }

    private boolean relayWaitsOnKafka() {
        return db.count("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND state = 'idle in transaction'
                   AND query LIKE '%FROM outbox_events ORDER BY id%'""") == 1;
    }

    private List<Event> read(Set<String> keys, int expected) {
        try (EventsOnKafka kafka = new EventsOnKafka(environment.getProperty("kafka.bootstrap-servers"), Set.of(TOPIC))) {
            // read on for a while after the expected count: a duplicate would show up as one more
            long[] enoughSince = {0};
            return kafka.readUntil(keys, found -> {
                if (found.size() < expected) {
                    return false;
                }
                if (enoughSince[0] == 0) {
                    enoughSince[0] = System.nanoTime();
                }
                return System.nanoTime() - enoughSince[0] > Duration.ofSeconds(2).toNanos();
            }, Duration.ofSeconds(30));
        }
    }

    private long insertEvent(HeldTransaction transaction, String key) {
        return insertEvent(transaction, key, "CONNECTED");
    }

    /** An outbox row as {@link Outbox} writes it; in the held transaction, or committed at once when null. */
    private long insertEvent(HeldTransaction transaction, String key, String reason) {
        if (transaction == null) {
            try (HeldTransaction alone = db.hold()) {
                long id = insertEvent(alone, key, reason);
                alone.commit();
                return id;
            }
        }
        return Long.parseLong(transaction.text("""
                INSERT INTO outbox_events (event_id, topic, event_key, event_type, subject, payload)
                VALUES (?, ?, ?, ?, ?, ?::jsonb) RETURNING id""", UUID.randomUUID(), TOPIC, key, Outbox.CONNECTION_STATUS_CHANGED,
                "connections/" + key, "{\"connectionId\":\"" + key + "\",\"reason\":\"" + reason + "\"}"));
    }
}
