package com.adsconnect.account.retention;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long data is kept. Env: {@code RETENTION_DELETED_USER_PURGE_AFTER}, {@code RETENTION_AUDIT_EVENTS},
 * {@code RETENTION_PROCESSED_WEBHOOKS}, {@code RETENTION_INTERVAL}.
 *
 * @param deletedUserPurgeAfter personal data of a deleted user is erased this long after deletion
 * @param auditEvents           audit events older than this are deleted
 * @param processedWebhooks     remembered Svix ids older than this are forgotten (Svix retries for about 3 days)
 * @param interval              how often the retention job runs
 */
@Validated
@ConfigurationProperties("retention")
public record RetentionProperties(
        @NotNull @DefaultValue("30d") Duration deletedUserPurgeAfter,
        @NotNull @DefaultValue("400d") Duration auditEvents,
        @NotNull @DefaultValue("30d") Duration processedWebhooks,
        @NotNull @DefaultValue("1h") Duration interval) {
}
