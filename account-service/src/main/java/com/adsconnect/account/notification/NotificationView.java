package com.adsconnect.account.notification;

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
        String id,
        String type,
        String title,
        String body,
        String link,
        @Nullable UUID connectionId,
        Instant createdAt,
        @Nullable Instant readAt) {
}
