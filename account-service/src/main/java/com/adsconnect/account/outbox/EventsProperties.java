package com.adsconnect.account.outbox;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Kafka and the outbox relay. Env: {@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_TOPICS_TOKEN_EXPIRING}, ...
 *
 * @param bootstrapServers  the Kafka cluster
 * @param topics            topic names and partition counts (created at start when missing)
 * @param source            the CloudEvents {@code source} of everything this service publishes
 * @param relayInterval     how often the relay looks for new outbox rows
 * @param relayBatchSize    rows published per relay transaction
 * @param sendTimeout       how long the relay waits for Kafka to acknowledge a batch
 */
@Validated
@ConfigurationProperties("kafka")
public record EventsProperties(
        @NotBlank @DefaultValue("127.0.0.1:9092") String bootstrapServers,
        @NotNull @DefaultValue Topics topics,
        @NotNull @DefaultValue("/account-service") URI source,
        @NotNull @DefaultValue("200ms") Duration relayInterval,
        @Min(1) @DefaultValue("500") int relayBatchSize,
        @NotNull @DefaultValue("10s") Duration sendTimeout) {

    public record Topics(
            @NotBlank @DefaultValue("amazon.token-expiring") String tokenExpiring,
            @NotBlank @DefaultValue("amazon.connection-status") String connectionStatus,
            @Min(1) @DefaultValue("32") int partitions,
            @DefaultValue("true") boolean create) {
    }
}
