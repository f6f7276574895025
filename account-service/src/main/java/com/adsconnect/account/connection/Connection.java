package com.adsconnect.account.connection;

import com.adsconnect.account.provider.Provider;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A connection as stored (without its token material, which lives in connection_tokens).
 *
 * @param label         what the user calls it; null: unnamed
 * @param grantedScopes the scopes the provider granted; null where it was not told
 * @param failingSince  when its refreshes began failing; null unless REFRESH_FAILING
 * @param refreshTokenExpiresAt when the refresh token itself stops working, where the provider says
 *                      (Google's time-based access); null: no known end
 */
public record Connection(
        UUID id,
        String userId,
        Provider provider,
        String region,
        String accountKey,
        ConnectionStatus status,
        @Nullable Instant accessTokenExpiresAt,
        @Nullable Instant lastRefreshedAt,
        @Nullable String lastErrorCode,
        @Nullable Instant lastErrorAt,
        Instant createdAt,
        Instant updatedAt,
        @Nullable Instant disconnectedAt,
        @Nullable String label,
        Set<String> grantedScopes,
        @Nullable Instant failingSince,
        @Nullable Instant refreshTokenExpiresAt) {
}
