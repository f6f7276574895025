package com.adsconnect.refresher.kafka;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Connection to the Kafka cluster. Env: {@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_HEALTH_TIMEOUT}.
 *
 * @param bootstrapServers comma-separated host:port list
 * @param healthTimeout    how long the readiness check waits for the cluster to answer
 */
@Validated
@ConfigurationProperties("kafka")
public record KafkaProperties(
        @NotBlank @DefaultValue("127.0.0.1:9092") String bootstrapServers,
        @NotNull @DefaultValue("3s") Duration healthTimeout) {
}
