package com.adsconnect.account.notification;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A notification as the front end shows it.
 *
 * @param type         stable kind ({@code connection.reauth_required}, ...), see {@link NotificationType}
 * @param link         the front end's route to act on it, e.g. {@code /integrations/{id}}
 * @param connectionId the connection it concerns
 * @param readAt       null while unread
 */
public record NotificationView(
        @Schema(example = "42") String id,
        @Schema(example = "connection.reauth_required") String type,
        @Schema(example = "Amazon Ads needs to be reconnected") String title,
        @Schema(example = "Amazon Ads no longer accepts this connection (invalid_grant). Reconnect it to resume syncing your campaigns.") String body,
        @Schema(example = "/integrations/7c76279d-f692-441d-affe-bb8978b57549?action=reconnect") String link,
        @Schema(example = "7c76279d-f692-441d-affe-bb8978b57549") @Nullable UUID connectionId,
        @Schema(example = "2026-12-01T09:30:00Z") Instant createdAt,
        @Schema(example = "2026-12-01T10:02:00Z") @Nullable Instant readAt) {
}
