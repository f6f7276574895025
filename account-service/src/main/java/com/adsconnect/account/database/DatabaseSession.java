package com.adsconnect.account.database;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How every R2DBC session talks to PostgreSQL. Its own limits, so that no statement and no lock
 * wait (a {@code FOR UPDATE} behind a stuck transaction) can hold a pooled connection for long;
 * and the format results come in. Env: {@code DATABASE_STATEMENT_TIMEOUT},
 * {@code DATABASE_LOCK_TIMEOUT}, {@code DATABASE_BINARY_RESULTS}.
 *
 * @param statementTimeout PostgreSQL's {@code statement_timeout}: a statement running longer is cancelled
 * @param lockTimeout      PostgreSQL's {@code lock_timeout}: a lock not granted within it fails the
 *                         statement (the claims use {@code SKIP LOCKED} and never wait; this bounds the others)
 * @param binaryResults    result columns in PostgreSQL's binary format (the driver's {@code forceBinary}):
 *                         a timestamp arrives as a number instead of text the driver parses with a
 *                         date-time formatter, the largest part of decoding a connection's row
 */
@Validated
@ConfigurationProperties("database")
public record DatabaseSession(
        @NotNull @DefaultValue("60s") Duration statementTimeout,
        @NotNull @DefaultValue("10s") Duration lockTimeout,
        @DefaultValue("true") boolean binaryResults) {
}
