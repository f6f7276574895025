package com.adsconnect.refresher.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The consumer reads the publisher's documented sample (account-service's events/samples), unchanged. */
class TokenExpiringEventContractTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void readsThePublishersSample() throws Exception {
        JsonNode sample = json.readTree(new ClassPathResource("events/samples/token-expiring.json").getContentAsString(StandardCharsets.UTF_8));
        Map<String, byte[]> headers = new HashMap<>();
        sample.get("headers").properties().forEach(h -> headers.put(h.getKey(), h.getValue().asString().getBytes(StandardCharsets.UTF_8)));

        TokenExpiringEvent event = TokenExpiringEvent.parse(headers, sample.get("value").toString(), json);

        assertThat(event.eventId()).isEqualTo("5e0f8a2c-7d41-4b6a-8f3e-2c9d1a0b4e57");
        assertThat(event.connectionId()).isEqualTo(UUID.fromString(sample.get("key").asString()));
        assertThat(event.provider()).isEqualTo("AMAZON");
        assertThat(event.region()).isEqualTo("NA");
        assertThat(event.generation()).isEqualTo(7);
        assertThat(event.reason()).isEqualTo("EXPIRING");
        assertThat(event.accessTokenExpiresAt()).isEqualTo(Instant.parse("2026-11-23T14:08:00Z"));
        assertThat(event.retries()).isZero();
    }

    @Test
    void readsTheSampleOfAnotherProvidersConnection() throws Exception {
        JsonNode sample = json.readTree(new ClassPathResource("events/samples/token-expiring-microsoft.json")
                .getContentAsString(StandardCharsets.UTF_8));
        Map<String, byte[]> headers = new HashMap<>();
        sample.get("headers").properties().forEach(h -> headers.put(h.getKey(), h.getValue().asString().getBytes(StandardCharsets.UTF_8)));

        TokenExpiringEvent event = TokenExpiringEvent.parse(headers, sample.get("value").toString(), json);

        assertThat(event.provider()).isEqualTo("MICROSOFT");
        assertThat(event.region()).isEqualTo("GLOBAL");
        assertThat(event.generation()).isEqualTo(3);
        assertThat(event.reason()).isEqualTo("URGENT");
    }

    @Test
    void refusesOtherEventTypesAndMalformedData() {
        Map<String, byte[]> headers = new HashMap<>();
        headers.put("ce_id", "x".getBytes(StandardCharsets.UTF_8));
        headers.put("ce_type", "dev.ads-connect.amazon.connection.status-changed.v1".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TokenExpiringEvent.parse(headers, "{}", json)).isInstanceOf(IllegalArgumentException.class);

        headers.put("ce_type", TokenExpiringEvent.TYPE.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> TokenExpiringEvent.parse(headers, "{\"connectionId\":\"not-a-uuid\"}", json))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenExpiringEvent.parse(headers, "not json", json)).isInstanceOf(IllegalArgumentException.class);
    }
}
