package com.adsconnect.account.database;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * PostgreSQL's own limits for every R2DBC session, so that no statement and no lock wait (a
 * {@code FOR UPDATE} behind a stuck transaction) can hold a pooled connection for long. Env:
 * {@code DATABASE_STATEMENT_TIMEOUT}, {@code DATABASE_LOCK_TIMEOUT}.
 *
 * @param statementTimeout PostgreSQL's {@code statement_timeout}: a statement running longer is cancelled
 * @param lockTimeout      PostgreSQL's {@code lock_timeout}: a lock not granted within it fails the
 *                         statement (the claims use {@code SKIP LOCKED} and never wait; this bounds the others)
 */
@Validated
@ConfigurationProperties("database")
public record DatabaseTimeouts(
        @NotNull @DefaultValue("60s") Duration statementTimeout,
        @NotNull @DefaultValue("10s") Duration lockTimeout) {
}
