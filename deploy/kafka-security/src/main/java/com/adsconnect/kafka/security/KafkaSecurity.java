package com.adsconnect.kafka.security;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the services' Kafka clients authenticate and encrypt: nothing on a developer machine,
 * SASL/SCRAM over TLS in production (Strimzi's {@code KafkaUser} with {@code scram-sha-512}, the
 * cluster CA as a PEM trust store). Env: {@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM},
 * {@code KAFKA_SASL_USERNAME}, {@code KAFKA_SASL_PASSWORD}, {@code KAFKA_SSL_TRUSTSTORE_LOCATION},
 * {@code KAFKA_SSL_TRUSTSTORE_TYPE}.
 */
public final class KafkaSecurity {

    private KafkaSecurity() {
    }

    /** @param protocol {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL} */
    public record Security(@NotNull @Pattern(regexp = "PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL") @DefaultValue("PLAINTEXT") String protocol) {

        public boolean sasl() {
            return protocol.startsWith("SASL_");
        }
    }

    /** @param mechanism {@code SCRAM-SHA-512} (default), {@code SCRAM-SHA-256} or {@code PLAIN} */
    public record Sasl(@NotNull @Pattern(regexp = "SCRAM-SHA-512|SCRAM-SHA-256|PLAIN") @DefaultValue("SCRAM-SHA-512") String mechanism,
            String username, String password) {

        /** Without the password. */
        @Override
        public String toString() {
            return "Sasl[mechanism=" + mechanism + ", username=" + username + ", password=" + (password == null ? "none" : "(set)") + "]";
        }
    }

    /** @param truststore the CA certificates the broker's certificate is checked against; none: the JDK's */
    public record Ssl(@NotNull @DefaultValue Truststore truststore) {
    }

    /** @param type {@code PEM} for a Strimzi cluster CA ({@code ca.crt}), or {@code PKCS12} / {@code JKS} */
    public record Truststore(String location, @NotNull @DefaultValue("PEM") String type) {
    }

    /** True when the settings are complete: a SASL protocol needs a user name and a password. */
    public static boolean complete(Security security, Sasl sasl) {
        return !security.sasl() || sasl.username() != null && !sasl.username().isBlank() && sasl.password() != null
                && !sasl.password().isBlank();
    }

    /** The client settings for {@code bootstrap} plus what authentication and encryption need. */
    public static Map<String, Object> clientSettings(String bootstrap, Security security, Sasl sasl, Ssl ssl) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("bootstrap.servers", bootstrap);
        settings.put("security.protocol", security.protocol());
        if (security.sasl()) {
            String module = sasl.mechanism().equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            settings.put("sasl.mechanism", sasl.mechanism());
            settings.put("sasl.jaas.config", module + " required username=\"" + quoted(sasl.username()) + "\" password=\""
                    + quoted(sasl.password()) + "\";");
        }
        if (security.protocol().endsWith("SSL") && ssl.truststore().location() != null) {
            settings.put("ssl.truststore.location", ssl.truststore().location());
            settings.put("ssl.truststore.type", ssl.truststore().type());
        }
        return settings;
    }

    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
