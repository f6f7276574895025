package com.adsconnect.account.connection;

import com.adsconnect.account.provider.AdvertisingProfile;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A connection as the front end shows it: provider, the user's label, status, health, the scopes
 * granted and missing, and the profiles for the account switcher. Never any token material.
 */
public record ConnectionView(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) UUID id,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "AMAZON") String provider,
        @Schema(example = "EU brand account") @Nullable String label,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "EU", description = "Amazon's region; GLOBAL for Google and Microsoft") String region,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) ConnectionStatus status,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Health health,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Scopes scopes,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<AdvertisingProfile> profiles,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant updatedAt,
        @Nullable Instant disconnectedAt) {

    /**
     * @param refreshTokenExpiresAt when the grant itself ends, where the provider says (Google's
     *                              time-based access); null: no known end
     * @param warning set when the user has to act (reconnect, grant a scope), in words the UI can show
     */
    public record Health(@Schema(example = "2026-12-01T10:30:00Z") @Nullable Instant accessTokenExpiresAt,
            @Schema(example = "2026-12-01T09:30:00Z") @Nullable Instant lastRefreshedAt,
            @Schema(example = "2027-11-30T09:30:00Z") @Nullable Instant refreshTokenExpiresAt, @Nullable LastError lastError,
            @Schema(example = "Amazon Ads no longer accepts this connection. Reconnect it.") @Nullable String warning) {
    }

    /** The provider's error code (for example {@code invalid_grant}) and when it happened. */
    public record LastError(@Schema(example = "invalid_grant") String code, @Schema(example = "2026-12-01T09:30:00Z") Instant at) {
    }

    /**
     * @param granted what the provider granted (null where it did not say)
     * @param missing required scopes it did not grant: the connection cannot be used until the user
     *                reconnects and grants them
     */
    public record Scopes(@Schema(example = "[\"advertising::campaign_management\"]") Set<String> granted,
            @Schema(example = "[]", description = "required scopes the user did not grant") Set<String> missing) {
    }

    /** A grant ending within this is shown as a warning (as the notification warns ahead of it). */
    private static final java.time.Duration GRANT_ENDING = java.time.Duration.ofDays(7);

    /** @param missing the required scopes the connection was not granted ({@code ProviderAdapter.missingScopes}) */
    static ConnectionView of(Connection connection, List<AdvertisingProfile> profiles, Set<String> missing) {
        String provider = connection.provider().displayName();
        String warning = switch (connection.status()) {
            case REAUTH_REQUIRED -> provider + " no longer accepts this connection. Reconnect it to resume syncing.";
            case REFRESH_FAILING -> provider + " is not answering token refreshes; retrying automatically.";
            case ACTIVE -> !missing.isEmpty()
                    ? "This connection lacks permissions it needs (" + String.join(", ", missing) + "). Reconnect it and grant them."
                    : connection.refreshTokenExpiresAt() != null && connection.refreshTokenExpiresAt().isBefore(Instant.now().plus(GRANT_ENDING))
                    ? "The access granted to " + provider + " ends at " + connection.refreshTokenExpiresAt() + ". Reconnect it before then."
                    : null;
            case DISCONNECTED -> null;
        };
        LastError lastError = connection.lastErrorCode() == null ? null
                : new LastError(connection.lastErrorCode(), connection.lastErrorAt());
        return new ConnectionView(connection.id(), connection.provider().name(), connection.label(), connection.region(),
                connection.status(), new Health(connection.accessTokenExpiresAt(), connection.lastRefreshedAt(),
                connection.refreshTokenExpiresAt(), lastError, warning),
                new Scopes(connection.grantedScopes(), missing), profiles, connection.createdAt(), connection.updatedAt(),
                connection.disconnectedAt());
    }
}
