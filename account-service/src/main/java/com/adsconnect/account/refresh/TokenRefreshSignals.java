package com.adsconnect.account.refresh;

import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * PostgreSQL LISTEN on {@value #CHANNEL}: every replica learns at once when any replica stored a
 * refresh outcome, so a token request waiting for an urgent refresh wakes without polling. One
 * dedicated connection outside the pool; reconnects with backoff. Waiters also re-read on a timer,
 * so a lost notification costs latency, never correctness.
 */
@Component
public class TokenRefreshSignals implements SmartLifecycle {

    static final String CHANNEL = "token_refreshed";

    private static final Logger log = LoggerFactory.getLogger(TokenRefreshSignals.class);

    private final ConnectionFactory connectionFactory;
    private final Sinks.Many<UUID> signals = Sinks.many().multicast().directBestEffort();
    private volatile Disposable subscription;

    TokenRefreshSignals(ConnectionFactory connectionFactory) {
        this.connectionFactory = connectionFactory instanceof ConnectionPool pool ? pool.unwrap() : connectionFactory;
    }

    /** Connection ids whose refresh outcome was just stored, from now on. */
    public Flux<UUID> refreshed() {
        return signals.asFlux();
    }

    @Override
    public void start() {
        subscription = Flux.usingWhen(
                        Mono.from(connectionFactory.create()).cast(PostgresqlConnection.class),
                        connection -> connection.createStatement("LISTEN " + CHANNEL).execute()
                                .flatMap(result -> result.getRowsUpdated())
                                .thenMany(connection.getNotifications()),
                        PostgresqlConnection::close)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(10))
                        .doBeforeRetry(retry -> log.debug("LISTEN {} lost, reconnecting: {}", CHANNEL, retry.failure().toString())))
                .subscribe(notification -> {
                    String ids = notification.getParameter();
                    if (ids == null) {
                        return;
                    }
                    // a refresh batch notifies once for many connections: their ids, comma-separated
                    for (String id : ids.split(",")) {
                        try {
                            signals.tryEmitNext(UUID.fromString(id));
                        } catch (IllegalArgumentException ignored) {
                            // not ours
                        }
                    }
                }, error -> log.warn("LISTEN {} stopped: {}", CHANNEL, error.toString()));
    }

    @Override
    public void stop() {
        Disposable current = subscription;
        if (current != null) {
            current.dispose();
        }
        subscription = null;
    }

    @Override
    public boolean isRunning() {
        return subscription != null && !subscription.isDisposed();
    }
}
