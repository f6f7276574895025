package com.adsconnect.account.connection;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The token API's memory of connections it read ({@link CachedTokenReads}). Env:
 * {@code TOKEN_VAULT_READ_CACHE_ENABLED}, {@code TOKEN_VAULT_READ_CACHE_MAX_ENTRIES}, ...
 *
 * @param enabled      off: every token request reads PostgreSQL
 * @param maxEntries   connections held at most (each about 1 KiB: the row and the encrypted access token)
 * @param maxStaleness the longest a change committed elsewhere may go unseen when PostgreSQL's
 *                     notifications stall: past it, nothing is served from memory until the
 *                     notifications are shown current again. While they flow, a change is seen
 *                     as soon as its notification arrives (milliseconds).
 * @param maxAge       an entry is read again after this long, whatever was notified
 */
@Validated
@ConfigurationProperties("token-vault.read-cache")
public record TokenReadCacheProperties(
        @DefaultValue("true") boolean enabled,
        @Min(1) @DefaultValue("10000") int maxEntries,
        @NotNull @DefaultValue("3s") Duration maxStaleness,
        @NotNull @DefaultValue("10m") Duration maxAge) {
}
