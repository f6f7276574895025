package com.adsconnect.account.audit;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** An audit event as the user sees it in their own trail. */
public record AuditEventView(
        String id,
        String action,
        String actorType,
        @Nullable String actorId,
        Instant occurredAt,
        @Nullable String sourceIp,
        @Nullable String userAgent,
        @Nullable JsonNode before,
        @Nullable JsonNode after) {
}
