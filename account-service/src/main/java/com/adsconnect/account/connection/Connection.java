package com.adsconnect.account.connection;

import com.adsconnect.account.provider.Provider;
import java.time.Instant;
import java.util.UUID;

/** A connection as stored (without its token material, which lives in connection_tokens). */
public record Connection(
        UUID id,
        String userId,
        Provider provider,
        String region,
        String accountKey,
        ConnectionStatus status,
        Instant accessTokenExpiresAt,
        Instant lastRefreshedAt,
        String lastErrorCode,
        Instant lastErrorAt,
        Instant createdAt,
        Instant updatedAt,
        Instant disconnectedAt) {
}
