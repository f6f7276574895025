package com.adsconnect.account.audit;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** An audit event as the user sees it in their own trail. */
public record AuditEventView(
        @Schema(example = "1042") String id,
        @Schema(example = "preferences.updated") String action,
        @Schema(example = "USER", description = "USER, SERVICE, WEBHOOK or SYSTEM") String actorType,
        @Schema(example = "user_2abcDEF") @Nullable String actorId,
        @Schema(example = "2026-12-01T09:30:00Z") Instant occurredAt,
        @Schema(example = "203.0.113.7") @Nullable String sourceIp,
        @Schema(example = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)") @Nullable String userAgent,
        @Schema(example = "{\"theme\": \"SYSTEM\"}", description = "the changed fields before the change; null when something was created") @Nullable JsonNode before,
        @Schema(example = "{\"theme\": \"DARK\"}", description = "the changed fields after the change; null when something was removed") @Nullable JsonNode after) {
}
