package com.adsconnect.account.audit;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** An audit event as the user sees it in their own trail. */
public record AuditEventView(
        String id,
        String action,
        String actorType,
        String actorId,
        Instant occurredAt,
        String sourceIp,
        String userAgent,
        JsonNode before,
        JsonNode after) {
}
