package com.adsconnect.refresher.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.devinfra.kafka.InProcessKafkaBroker;
import com.adsconnect.kafka.security.KafkaSecurity;
import jakarta.validation.Validation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/**
 * The refresher's Kafka clients authenticate with SASL/SCRAM-SHA-512 when told to, against a real
 * broker whose listener takes nothing else: the right password gets through, a wrong one does not.
 */
class KafkaScramTest {

    private static final String PASSWORD = "scram-" + UUID.randomUUID();
    private static InProcessKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = InProcessKafkaBroker.createWithScram(Path.of(System.getProperty("java.io.tmpdir"), "refresher-scram"), 4).start();
        broker.createScramUser("token-refresher", PASSWORD);
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void theRightCredentialsReachTheClusterAndWrongOnesDoNot() {
        assertThat(health(scram(PASSWORD))).isEqualTo(Status.UP);
        assertThat(health(scram("not-" + PASSWORD))).isEqualTo(Status.DOWN);
        assertThat(health(KafkaProperties.plaintext(broker.saslBootstrapServers(), Duration.ofSeconds(3))))
                .as("a plaintext client on the SCRAM listener").isEqualTo(Status.DOWN);
    }

    @Test
    void aSaslProtocolWithoutCredentialsIsRefusedAtStartAndThePasswordIsNeverPrinted() {
        KafkaProperties incomplete = new KafkaProperties("127.0.0.1:1", Duration.ofSeconds(1), new KafkaSecurity.Security("SASL_SSL"),
                new KafkaSecurity.Sasl("SCRAM-SHA-512", "token-refresher", null), new KafkaSecurity.Ssl(new KafkaSecurity.Truststore(null, "PEM")));
        try (var factory = Validation.buildDefaultValidatorFactory()) {
            assertThat(factory.getValidator().validate(incomplete)).extracting(violation -> violation.getMessage())
                    .containsExactly("kafka.sasl.username and kafka.sasl.password are required with a SASL security protocol");
        }
        KafkaProperties complete = scram(PASSWORD);
        assertThat(complete.toString()).doesNotContain(PASSWORD);
        assertThat(complete.clientSettings()).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsKey("sasl.jaas.config");
    }

    private static KafkaProperties scram(String password) {
        return new KafkaProperties(broker.saslBootstrapServers(), Duration.ofSeconds(3), new KafkaSecurity.Security("SASL_PLAINTEXT"),
                new KafkaSecurity.Sasl("SCRAM-SHA-512", "token-refresher", password),
                new KafkaSecurity.Ssl(new KafkaSecurity.Truststore(null, "PEM")));
    }

    private static Status health(KafkaProperties properties) {
        KafkaClusterHealthIndicator indicator = new KafkaClusterHealthIndicator(properties);
        try {
            return indicator.health().block(Duration.ofSeconds(10)).getStatus();
        } finally {
            indicator.destroy();
        }
    }
}
