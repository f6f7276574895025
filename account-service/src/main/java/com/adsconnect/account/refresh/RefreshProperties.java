package com.adsconnect.account.refresh;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * When tokens are refreshed and how long callers wait. Env: {@code TOKEN_VAULT_REFRESH_WINDOW},
 * {@code TOKEN_VAULT_KEEP_ALIVE}, {@code TOKEN_VAULT_MIN_REMAINING}, ...
 *
 * @param refreshWindow      access tokens expiring within this are refreshed proactively
 * @param keepAlive          connections not refreshed for this long are refreshed anyway, so refresh tokens stay alive
 * @param minRemaining       the internal token API never hands out a token with less than this left
 * @param urgentWait         how long the internal token API waits for an urgent refresh before answering 503
 * @param leaseDuration      how long a claimed refresh may take before it is claimed again
 * @param schedulerInterval  how often the scheduler looks for due connections
 * @param schedulerBatchSize connections claimed per scheduler transaction
 * @param maxInFlight        the scheduler claims no more while this many claims are unreported, so a
 *                           backlog waits in PostgreSQL instead of piling up in Kafka until its leases expire
 * @param failureBackoff     first wait after a transient refresh failure, doubled per failure
 * @param maxFailureBackoff  the longest such wait
 */
@Validated
@ConfigurationProperties("token-vault")
public record RefreshProperties(
        @NotNull @DefaultValue("10m") Duration refreshWindow,
        @NotNull @DefaultValue("24h") Duration keepAlive,
        @NotNull @DefaultValue("60s") Duration minRemaining,
        @NotNull @DefaultValue("5s") Duration urgentWait,
        @NotNull @DefaultValue("2m") Duration leaseDuration,
        @NotNull @DefaultValue("1s") Duration schedulerInterval,
        @Min(1) @DefaultValue("500") int schedulerBatchSize,
        @Min(1) @DefaultValue("5000") int maxInFlight,
        @NotNull @DefaultValue("30s") Duration failureBackoff,
        @NotNull @DefaultValue("15m") Duration maxFailureBackoff) {
}
