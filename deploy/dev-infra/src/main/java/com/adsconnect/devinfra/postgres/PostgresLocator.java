package com.adsconnect.devinfra.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds a PostgreSQL server for the local run and for tests: the one configured by the
 * environment, else the one on 127.0.0.1:5432, else an embedded server from Maven Central
 * binaries (zonky) that lives as long as this JVM.
 *
 * <p>Environment: {@code DEV_POSTGRES_HOST}, {@code DEV_POSTGRES_PORT}, {@code DEV_POSTGRES_USER},
 * {@code DEV_POSTGRES_PASSWORD}.
 */
public final class PostgresLocator {

    private static final Logger log = LoggerFactory.getLogger(PostgresLocator.class);

    private PostgresLocator() {
    }

    /** A running server reachable from this machine, or an empty result. */
    public static Optional<PostgresServer> findRunning() {
        PostgresServer candidate = new PostgresServer(
                env("DEV_POSTGRES_HOST", "127.0.0.1"),
                Integer.parseInt(env("DEV_POSTGRES_PORT", "5432")),
                env("DEV_POSTGRES_USER", "postgres"),
                env("DEV_POSTGRES_PASSWORD", ""));
        return candidate.isReachable() ? Optional.of(candidate) : Optional.empty();
    }

    /**
     * Starts an embedded PostgreSQL whose data lives in {@code dataDirectory}; the server stops
     * with {@link EmbeddedServer#close()} or when the JVM exits.
     */
    public static EmbeddedServer startEmbedded(Path dataDirectory, boolean keepData) {
        try {
            Files.createDirectories(dataDirectory);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(!keepData)
                    .setPGStartupWait(Duration.ofSeconds(30))
                    .start();
            PostgresServer server = new PostgresServer("127.0.0.1", postgres.getPort(), "postgres", "postgres");
            log.info("embedded PostgreSQL started on port {} with data in {}", postgres.getPort(), dataDirectory);
            return new EmbeddedServer(server, postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
        }
    }

    /** An embedded server and the handle that stops it. */
    public record EmbeddedServer(PostgresServer server, EmbeddedPostgres process) implements AutoCloseable {
        @Override
        public void close() {
            try {
                process.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stop embedded PostgreSQL", e);
            }
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
