package com.adsconnect.account.internal;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The token API's audit of who read which token. Env: {@code TOKEN_ACCESS_AUDIT_ENABLED}, ...
 *
 * @param enabled       off only to measure what it costs
 * @param flushInterval how often queued answers are written: a crash loses at most this much
 * @param capacity      answers the queue holds; beyond it the token API answers 503 rather than serve unrecorded
 * @param batchSize     answers written per statement pair
 */
@Validated
@ConfigurationProperties("token-access-audit")
public record TokenAccessAuditProperties(
        @DefaultValue("true") boolean enabled,
        @NotNull @DefaultValue("1s") Duration flushInterval,
        @Min(1) @DefaultValue("20000") int capacity,
        @Min(1) @DefaultValue("5000") int batchSize) {
}
