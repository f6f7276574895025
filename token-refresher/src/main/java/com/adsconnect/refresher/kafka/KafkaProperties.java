package com.adsconnect.refresher.kafka;

import com.adsconnect.kafka.security.KafkaSecurity;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Connection to the Kafka cluster. Env: {@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_HEALTH_TIMEOUT},
 * and the authentication settings of {@link KafkaSecurity}.
 *
 * @param bootstrapServers comma-separated host:port list
 * @param healthTimeout    how long the readiness check waits for the cluster to answer
 * @param security         the security protocol ({@code PLAINTEXT} by default)
 * @param sasl             the SASL mechanism and credentials, for the {@code SASL_*} protocols
 * @param ssl              the trust store, for the {@code *SSL} protocols
 */
@Validated
@ConfigurationProperties("kafka")
public record KafkaProperties(
        @NotBlank @DefaultValue("127.0.0.1:9092") String bootstrapServers,
        @NotNull @DefaultValue("3s") Duration healthTimeout,
        @NotNull @Valid @DefaultValue KafkaSecurity.Security security,
        @NotNull @Valid @DefaultValue KafkaSecurity.Sasl sasl,
        @NotNull @Valid @DefaultValue KafkaSecurity.Ssl ssl) {

    /** Plain connections, as on a developer machine. */
    public static KafkaProperties plaintext(String bootstrapServers, Duration healthTimeout) {
        return new KafkaProperties(bootstrapServers, healthTimeout, new KafkaSecurity.Security("PLAINTEXT"), new KafkaSecurity.Sasl("SCRAM-SHA-512", null, null),
                new KafkaSecurity.Ssl(new KafkaSecurity.Truststore(null, "PEM")));
    }

    @AssertTrue(message = "kafka.sasl.username and kafka.sasl.password are required with a SASL security protocol")
    public boolean isSaslComplete() {
        return KafkaSecurity.complete(security, sasl);
    }

    /** Settings every client of this service starts from: the cluster, and how to authenticate to it. */
    public Map<String, Object> clientSettings() {
        return KafkaSecurity.clientSettings(bootstrapServers, security, sasl, ssl);
    }
}
