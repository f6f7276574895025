package com.adsconnect.account.connection;

import com.adsconnect.account.provider.AdvertisingProfile;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A connection as the front end shows it: status, health and the profiles for the account
 * switcher. Never any token material.
 */
public record ConnectionView(
        UUID id,
        String provider,
        String region,
        ConnectionStatus status,
        Health health,
        List<AdvertisingProfile> profiles,
        Instant createdAt,
        Instant updatedAt,
        Instant disconnectedAt) {

    /**
     * @param warning set when the user has to act (reconnect), in words the UI can show
     */
    public record Health(Instant accessTokenExpiresAt, Instant lastRefreshedAt, LastError lastError, String warning) {
    }

    /** The provider's error code (for example {@code invalid_grant}) and when it happened. */
    public record LastError(String code, Instant at) {
    }

    static ConnectionView of(Connection connection, List<AdvertisingProfile> profiles) {
        String warning = switch (connection.status()) {
            case REAUTH_REQUIRED -> "Amazon no longer accepts this connection. Reconnect it to resume syncing.";
            case REFRESH_FAILING -> "Amazon is not answering token refreshes; retrying automatically.";
            default -> null;
        };
        LastError lastError = connection.lastErrorCode() == null ? null
                : new LastError(connection.lastErrorCode(), connection.lastErrorAt());
        return new ConnectionView(connection.id(), connection.provider().name(), connection.region(), connection.status(),
                new Health(connection.accessTokenExpiresAt(), connection.lastRefreshedAt(), lastError, warning),
                profiles, connection.createdAt(), connection.updatedAt(), connection.disconnectedAt());
    }
}
