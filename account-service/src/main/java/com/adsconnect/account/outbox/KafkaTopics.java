package com.adsconnect.account.outbox;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Creates the two topics when they are missing, with the configured partition count, so a fresh
 * environment works without manual steps; production provisions them in deploy/ and turns this
 * off ({@code kafka.topics.create=false}). Runs off the event loops, once, after start; a Kafka
 * that is down only delays it (the relay keeps rows until topics and broker are there).
 */
@Component
class KafkaTopics {

    private static final Logger log = LoggerFactory.getLogger(KafkaTopics.class);

    private final EventsProperties properties;

    KafkaTopics(EventsProperties properties) {
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void createMissingTopics() {
        if (!properties.topics().create()) {
            return;
        }
        Thread.ofVirtual().name("kafka-topics").start(this::create);
    }

    private void create() {
        Map<String, Object> settings = new java.util.HashMap<>(properties.clientSettings());
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(settings)) {
            for (String topic : List.of(properties.topics().tokenExpiring(), properties.topics().connectionStatus())) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, Optional.of(properties.topics().partitions()), Optional.empty())))
                            .all().get(30, TimeUnit.SECONDS);
                    log.info("created Kafka topic {} with {} partitions", topic, properties.topics().partitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        log.warn("could not create Kafka topic {}: {}", topic, e.getCause().toString());
                    }
                }
            }
        } catch (Exception e) {
            log.warn("could not create Kafka topics: {}", e.toString());
        }
    }
}
