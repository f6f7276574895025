package com.adsconnect.devinfra.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InProcessKafkaBrokerTest {

    @TempDir
    Path temp;

    @Test
    void keepsRecordsAcrossARestartOnTheSamePort() throws Exception {
        try (InProcessKafkaBroker broker = InProcessKafkaBroker.create(temp, 2).start()) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopics(Map.of("restart-check", 2));
            produce(bootstrap, "before-restart");

            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            broker.start();

            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);
            produce(bootstrap, "after-restart");
            assertThat(consumeAll(bootstrap)).containsExactlyInAnyOrder("before-restart", "after-restart");
        }
    }

    @Test
    void aStalledBrokerHoldsRequestsWithConnectionsOpenAndAnswersThemOnResume() throws Exception {
        try (InProcessKafkaBroker broker = InProcessKafkaBroker.createStallable(temp, 2).start()) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopics(Map.of("restart-check", 2));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("restart-check", "warm", "before-stall")).get();

                broker.stall();
                var held = producer.send(new ProducerRecord<>("restart-check", "held", "during-stall"));
                assertThat(held).isNotDone();
                broker.resume();

                assertThat(held.get(30, java.util.concurrent.TimeUnit.SECONDS).hasOffset()).isTrue();
            }
            assertThat(consumeAll(bootstrap)).containsExactlyInAnyOrder("before-stall", "during-stall");
        }
    }

    private static void produce(String bootstrap, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("restart-check", value, value)).get();
        }
    }

    private static List<String> consumeAll(String bootstrap) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "restart-check",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("restart-check"));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (values.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
