package com.adsconnect.account.outbox;

import java.time.Instant;
import java.util.UUID;

/**
 * One event waiting in the outbox, in CloudEvents terms: {@code id}, {@code type},
 * {@code subject}, {@code time}; {@code key} is the Kafka record key (the connection id) and
 * {@code payload} the JSON data, which never holds a token; {@code traceparent} is the W3C trace
 * context of the work that wrote it (null outside any trace).
 */
public record OutboxEvent(long sequence, UUID id, String topic, String key, String type, String subject, Instant time,
        String payload, String traceparent) {
}
