package com.adsconnect.local.support;

import com.jayway.jsonpath.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A plain Kafka consumer on {@code amazon.connection-status}, as any other team's service would
 * read it: its own group, CloudEvents attributes from the record headers, JSON data.
 */
public final class ConnectionStatusEvents implements AutoCloseable {

    /** One event: CloudEvents attributes ({@code ce_type}, ...) and the data's fields. */
    public record Event(String key, Map<String, String> attributes, String data) {

        public String field(String name) {
            Object value = JsonPath.read(data, "$." + name);
            return value == null ? null : value.toString();
        }
    }

    private final KafkaConsumer<String, String> consumer;
    private final List<Event> seen = new ArrayList<>();

    public ConnectionStatusEvents(String bootstrapServers, String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "suite-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(config);
        consumer.subscribe(List.of(topic));
    }

    /** Waits for an event matching the predicate, among all received so far and those to come. */
    public Event await(Predicate<Event> wanted, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Event event : seen) {
                if (wanted.test(event)) {
                    return event;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching event within " + timeout + "; received " + seen.size() + ": " + seen);
            }
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                Map<String, String> attributes = new HashMap<>();
                for (Header header : record.headers()) {
                    attributes.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
                }
                seen.add(new Event(record.key(), attributes, record.value()));
            }
        }
    }

    public List<Event> received() {
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
