package com.adsconnect.refresher.refresh;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@code amazon.token-expiring} CloudEvent as this worker needs it, read from the Kafka binary
 * content mode (attributes in {@code ce_*} headers, data in the value). The contract is
 * account-service's {@code events/asyncapi.yaml}.
 *
 * @param retries how many times this event already went through the retry topic
 */
public record TokenExpiringEvent(String eventId, UUID connectionId, String provider, String region, long generation, String reason,
        Instant accessTokenExpiresAt, int retries) {

    public static final String TYPE = "dev.ads-connect.amazon.token.expiring.v1";

    /** Parses a record; throws {@link IllegalArgumentException} for anything that is not such an event. */
    public static TokenExpiringEvent parse(Map<String, byte[]> headers, String value, JsonMapper json) {
        String type = header(headers, "ce_type");
        String id = header(headers, "ce_id");
        if (!TYPE.equals(type) || id == null || id.isBlank()) {
            throw new IllegalArgumentException("not a " + TYPE + " event");
        }
        try {
            JsonNode data = json.readTree(value);
            String expiresAt = data.path("accessTokenExpiresAt").isString() ? data.get("accessTokenExpiresAt").asString() : null;
            String retries = header(headers, "x-refresher-retries");
            return new TokenExpiringEvent(id,
                    UUID.fromString(data.get("connectionId").asString()),
                    data.path("provider").isString() ? data.get("provider").asString() : "AMAZON",
                    data.get("region").asString(),
                    data.get("generation").asLong(),
                    data.path("reason").asString(""),
                    expiresAt == null ? null : Instant.parse(expiresAt),
                    retries == null ? 0 : Integer.parseInt(retries));
        } catch (JacksonException | NullPointerException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("malformed " + TYPE + " data: " + e.getClass().getSimpleName());
        }
    }

    private static String header(Map<String, byte[]> headers, String name) {
        byte[] value = headers.get(name);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
