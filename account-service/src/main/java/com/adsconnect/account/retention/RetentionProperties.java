package com.adsconnect.account.retention;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long data is kept. Env: {@code RETENTION_DELETED_USER_PURGE_AFTER}, {@code RETENTION_AUDIT_EVENTS},
 * {@code RETENTION_PROCESSED_WEBHOOKS}, {@code RETENTION_CONNECTION_HISTORY},
 * {@code RETENTION_NOTIFICATIONS}, {@code RETENTION_TOKEN_ACCESS_EVENTS}, {@code RETENTION_INTERVAL}.
 *
 * @param deletedUserPurgeAfter personal data of a deleted user is erased this long after deletion
 * @param auditEvents           audit events older than this are deleted
 * @param processedWebhooks     remembered Svix ids older than this are forgotten (Svix retries for about 3 days)
 * @param connectionHistory     connections' refresh and status timeline entries older than this are deleted
 * @param notifications         notifications (read or not) and finished deliveries older than this are deleted
 * @param tokenAccessEvents     the token API's answers older than this are deleted (the per-day reads stay as long as audit events)
 * @param interval              how often the retention job runs
 */
@Validated
@ConfigurationProperties("retention")
public record RetentionProperties(
        @NotNull @DefaultValue("30d") Duration deletedUserPurgeAfter,
        @NotNull @DefaultValue("400d") Duration auditEvents,
        @NotNull @DefaultValue("30d") Duration processedWebhooks,
        @NotNull @DefaultValue("90d") Duration connectionHistory,
        @NotNull @DefaultValue("180d") Duration notifications,
        @NotNull @DefaultValue("30d") Duration tokenAccessEvents,
        @NotNull @DefaultValue("1h") Duration interval) {
}
