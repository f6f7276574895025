package com.adsconnect.account.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adsconnect.devinfra.kafka.InProcessKafkaBroker;
import com.adsconnect.account.tracing.TraceContexts;
import com.adsconnect.kafka.security.KafkaSecurity;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbox's producer authenticates with SASL/SCRAM-SHA-512 when told to, against a real broker
 * whose listener takes nothing else: with the right password its events arrive, with a wrong one
 * the send fails (and the relay keeps the rows), and the password never shows in its settings.
 */
class KafkaScramPublishTest {

    private static final TraceContexts NO_TRACES = new TraceContexts(Tracer.NOOP, Propagator.NOOP);

    private static final String PASSWORD = "scram-" + UUID.randomUUID();
    private static final String TOPIC = "scram-" + UUID.randomUUID().toString().substring(0, 8) + ".connection-status";
    private static InProcessKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = InProcessKafkaBroker.createWithScram(Path.of(System.getProperty("java.io.tmpdir"), "account-scram"), 2).start();
        broker.createScramUser("account-service", PASSWORD);
        broker.createTopics(Map.of(TOPIC, 2));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void withTheRightPasswordTheEventArrivesWithAWrongOneTheSendFails() {
        OutboxEvent event = new OutboxEvent(1, UUID.randomUUID(), TOPIC, UUID.randomUUID().toString(), "connection.refreshed", "conn",
                Instant.now(), "{\"status\":\"ACTIVE\"}", null);
        KafkaEventPublisher publisher = new KafkaEventPublisher(scram(PASSWORD), NO_TRACES);
        try {
            publisher.publish(List.of(event)).block(Duration.ofSeconds(20));
        } finally {
            publisher.destroy();
        }
        assertThat(readAll()).extracting(ConsumerRecord::value).containsExactly(event.payload());

        KafkaEventPublisher wrong = new KafkaEventPublisher(scram("not-" + PASSWORD), NO_TRACES);
        try {
            assertThatThrownBy(() -> wrong.publish(List.of(event)).block(Duration.ofSeconds(20)))
                    .hasStackTraceContaining("Authentication failed");
        } finally {
            wrong.destroy();
        }
        assertThat(readAll()).as("nothing more arrived").hasSize(1);
        assertThat(scram(PASSWORD).toString()).doesNotContain(PASSWORD);
    }

    private static EventsProperties scram(String password) {
        return new EventsProperties(broker.saslBootstrapServers(), new EventsProperties.Topics("t.token-expiring", TOPIC, 2, false),
                URI.create("/account-service"), Duration.ofMillis(200), 500, Duration.ofSeconds(5),
                new KafkaSecurity.Security("SASL_PLAINTEXT"), new KafkaSecurity.Sasl("SCRAM-SHA-512", "account-service", password),
                new KafkaSecurity.Ssl(new KafkaSecurity.Truststore(null, "PEM")));
    }

    /** Everything in the topic: read from the beginning up to the end offsets. */
    private static List<ConsumerRecord<String, String>> readAll() {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                assertThat(System.nanoTime()).as("read to the end in time").isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }
}
