package com.adsconnect.account.outbox;

import com.adsconnect.kafka.security.KafkaSecurity;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Kafka and the outbox relay. Env: {@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_TOPICS_TOKEN_EXPIRING}, ...,
 * and the authentication settings of {@link KafkaSecurity}.
 *
 * @param bootstrapServers  the Kafka cluster
 * @param topics            topic names and partition counts (created at start when missing)
 * @param source            the CloudEvents {@code source} of everything this service publishes
 * @param relayInterval     how often the relay looks for new outbox rows
 * @param relayBatchSize    rows published per relay transaction
 * @param sendTimeout       how long the relay waits for Kafka to acknowledge a batch
 * @param security          the security protocol ({@code PLAINTEXT} by default)
 * @param sasl              the SASL mechanism and credentials, for the {@code SASL_*} protocols
 * @param ssl               the trust store, for the {@code *SSL} protocols
 */
@Validated
@ConfigurationProperties("kafka")
public record EventsProperties(
        @NotBlank @DefaultValue("127.0.0.1:9092") String bootstrapServers,
        @NotNull @DefaultValue Topics topics,
        @NotNull @DefaultValue("/account-service") URI source,
        @NotNull @DefaultValue("200ms") Duration relayInterval,
        @Min(1) @DefaultValue("500") int relayBatchSize,
        @NotNull @DefaultValue("10s") Duration sendTimeout,
        @NotNull @Valid @DefaultValue KafkaSecurity.Security security,
        @NotNull @Valid @DefaultValue KafkaSecurity.Sasl sasl,
        @NotNull @Valid @DefaultValue KafkaSecurity.Ssl ssl) {

    @AssertTrue(message = "kafka.sasl.username and kafka.sasl.password are required with a SASL security protocol")
    public boolean isSaslComplete() {
        return KafkaSecurity.complete(security, sasl);
    }

    /** Settings every Kafka client of this service starts from: the cluster, and how to authenticate to it. */
    public Map<String, Object> clientSettings() {
        return KafkaSecurity.clientSettings(bootstrapServers, security, sasl, ssl);
    }

    public record Topics(
            @NotBlank @DefaultValue("amazon.token-expiring") String tokenExpiring,
            @NotBlank @DefaultValue("amazon.connection-status") String connectionStatus,
            @Min(1) @DefaultValue("32") int partitions,
            @DefaultValue("true") boolean create) {
    }
}
