package com.adsconnect.refresher.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.refresher.kafka.KafkaProperties;
import com.adsconnect.testsupport.KafkaEndpoint;
import com.adsconnect.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

/**
 * The refresher's Kafka side on a real broker, with a handler the test holds: what happens to a
 * record whose handling is in flight when Kafka goes away, and when the process shuts down.
 */
class RefreshConsumerTest {

    private final KafkaEndpoint kafka = TestInfrastructure.kafka();
    private final String topic = "consumer-" + UUID.randomUUID().toString().substring(0, 8) + ".token-expiring";
    private final String group = "consumer-test-" + UUID.randomUUID();
    private final List<RefreshEventsKafka> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopConsumersAndBringKafkaBack() {
        kafka.start();
        started.forEach(RefreshEventsKafka::stop);
    }

    @Test
    void theConsumerCreatesItsTopicsWithTheConfiguredPartitionsAndNeverThroughItsSubscription() throws Exception {
        start(handled -> Mono.just(RefreshWorker.Outcome.REFRESHED), Duration.ofMillis(100), 1, 7);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            var topics = admin.describeTopics(List.of(topic, topic + ".retry", topic + ".dlt")).allTopicNames().get(10, TimeUnit.SECONDS);
            // a topic created by a subscription would have the broker's default partition count
            assertThat(topics.values()).hasSize(3).allSatisfy(description -> assertThat(description.partitions()).hasSize(7));
        }
    }

    @Test
    void aForwardThatFailsWhileKafkaIsAwayReplacesTheConsumerAndTheRecordComesBack() throws Exception {
        RecordMetadata produced = produceEvent();
        Sinks.One<RefreshWorker.Outcome> firstOutcome = Sinks.one();
        List<String> handled = new CopyOnWriteArrayList<>();
        TokenExpiringHandler handler = event -> {
            handled.add(event.eventId());
            // the first delivery's refresh fails (reported transient): it must go to the retry topic
            return handled.size() == 1 ? firstOutcome.asMono() : Mono.just(RefreshWorker.Outcome.REFRESHED);
        };
        RefreshEventsKafka consumer = start(handler, Duration.ofMillis(200), 8);
        RefreshConsumerHealthIndicator health = new RefreshConsumerHealthIndicator(consumer);
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 1);
        assertThat(health.health().getStatus().getCode()).isEqualTo("UP");

        kafka.stop();
        firstOutcome.tryEmitValue(RefreshWorker.Outcome.RETRY);

        // both forward attempts fail while Kafka is away: the consumer is replaced, and says so
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.restarts() >= 1);
        kafka.start();

        // the record was never acknowledged: the new consumer gets it again and it is handled
        await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() == 2);
        assertThat(handled).containsExactly(handled.getFirst(), handled.getFirst());
        await().atMost(Duration.ofSeconds(30)).until(() -> committed(produced) == produced.offset() + 1);
        assertThat(consumer.state()).isEqualTo(RefreshEventsKafka.State.RUNNING);
        assertThat(health.health().getStatus().getCode()).isEqualTo("UP");
        assertThat((Long) health.health().getDetails().get("restarts")).isGreaterThanOrEqualTo(1L);
    }

    @Test
    void shutdownLetsInFlightRefreshesFinishAndCommitsThemBeforeClosingTheConsumer() throws Exception {
        UUID connection = UUID.randomUUID();
        RecordMetadata produced = produceEvent(connection);
        // the next record of the same partition waits behind it (one at a time here), and must not start after shutdown began
        RecordMetadata next = produceEvent(connection);
        assertThat(next.partition()).isEqualTo(produced.partition());
        Sinks.One<RefreshWorker.Outcome> outcome = Sinks.one();
        List<String> handled = new CopyOnWriteArrayList<>();
        TokenExpiringHandler handler = event -> {
            handled.add(event.eventId());
            return outcome.asMono();
        };
        // no periodic commit before the shutdown: the offset is saved only if the consumer is still open
        // when the refresh finishes (and its acknowledgement is committed before or at the close)
        RefreshEventsKafka consumer = start(handler, Duration.ofHours(1), 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> handled.size() == 1);

        Thread stopping = Thread.ofPlatform().name("test-shutdown").start(consumer::stop);
        // shutdown began and waits for the refresh in flight
        await().atMost(Duration.ofSeconds(10)).until(() -> stopping.getState() == Thread.State.TIMED_WAITING);
        assertThat(new RefreshConsumerHealthIndicator(consumer).health().getStatus().getCode()).isEqualTo("DOWN");
        outcome.tryEmitValue(RefreshWorker.Outcome.REFRESHED);
        stopping.join(Duration.ofSeconds(30));

        assertThat(stopping.isAlive()).isFalse();
        assertThat(committed(produced)).as("the refresh that finished during shutdown is committed, and nothing after it")
                .isEqualTo(produced.offset() + 1);
        assertThat(handled).as("the record behind it was left to the next owner").hasSize(1);
        assertThat(consumer.state()).isEqualTo(RefreshEventsKafka.State.STOPPED);
    }

    private RefreshEventsKafka start(TokenExpiringHandler handler, Duration commitInterval, int perPartitionConcurrency) {
        return start(handler, commitInterval, perPartitionConcurrency, 32);
    }

    private RefreshEventsKafka start(TokenExpiringHandler handler, Duration commitInterval, int perPartitionConcurrency,
            int topicPartitions) {
        RefresherProperties properties = new RefresherProperties(group, topic, topic + ".retry", topic + ".dlt", perPartitionConcurrency, 4096,
                commitInterval,
                Duration.ofSeconds(1), 3, Duration.ofSeconds(20), 1000, Duration.ofSeconds(5),
                Duration.ofSeconds(2), 2, Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(6), true, topicPartitions);
        RefreshEventsKafka consumer = new RefreshEventsKafka(KafkaProperties.plaintext(kafka.bootstrapServers(), Duration.ofSeconds(3)),
                properties, handler, JsonMapper.builder().build(), new SimpleMeterRegistry(), ObservationRegistry.NOOP);
        consumer.start();
        started.add(consumer);
        return consumer;
    }

    private RecordMetadata produceEvent() throws Exception {
        return produceEvent(UUID.randomUUID());
    }

    private RecordMetadata produceEvent(UUID connection) throws Exception {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, connection.toString(), """
                {"connectionId":"%s","userId":"user_c","provider":"AMAZON","region":"NA","generation":1,"reason":"EXPIRING",\
                "accessTokenExpiresAt":"2030-01-01T00:00:00Z","leaseExpiresAt":"2030-01-01T00:02:00Z"}""".formatted(connection));
        record.headers().add("ce_type", TokenExpiringEvent.TYPE.getBytes(StandardCharsets.UTF_8));
        record.headers().add("ce_id", UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            return producer.send(record).get(30, TimeUnit.SECONDS);
        }
    }

    /** The group's committed offset for the record's partition; -1 when none. */
    private long committed(RecordMetadata record) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            OffsetAndMetadata offset = offsets.get(new TopicPartition(record.topic(), record.partition()));
            return offset == null ? -1 : offset.offset();
        }
    }
}
