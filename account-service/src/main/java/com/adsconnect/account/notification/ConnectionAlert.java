package com.adsconnect.account.notification;

import java.util.UUID;

/**
 * Something happened to a connection that its owner should hear about.
 *
 * @param providerName   the provider as users know it ("Google Ads")
 * @param connectionName the user's label for the connection, or null
 * @param errorCode      the provider's error code, where there is one
 * @param at             when what it announces happens, where that is in the future (a refresh
 *                       token's end); null otherwise
 * @param dedupKey       the same key twice for a user announces once: names the occurrence (for
 *                       example one failing spell of one connection), not the attempt
 */
public record ConnectionAlert(
        NotificationType type,
        String userId,
        UUID connectionId,
        String providerName,
        String connectionName,
        String errorCode,
        java.time.Instant at,
        String dedupKey) {
}
