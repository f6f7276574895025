package com.adsconnect.account.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/** An independent consumer, as any team's service would read the topics: plain kafka-clients. */
public final class EventsOnKafka implements AutoCloseable {

    /** A record with its CloudEvents headers decoded. */
    public record Event(String topic, int partition, long offset, String key, Map<String, String> headers, String value) {
    }

    private final KafkaConsumer<String, String> consumer;

    public EventsOnKafka(String bootstrapServers, Set<String> topics) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(topics);
    }

    /** Polls until {@code enough} holds for the events whose key is in {@code keys}, or the timeout. */
    public List<Event> readUntil(Set<String> keys, Predicate<List<Event>> enough, Duration timeout) {
        List<Event> events = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && !enough.test(events)) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                if (keys.contains(record.key())) {
                    Map<String, String> headers = new HashMap<>();
                    for (Header header : record.headers()) {
                        headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
                    }
                    events.add(new Event(record.topic(), record.partition(), record.offset(), record.key(), headers, record.value()));
                }
            }
        }
        return events;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
