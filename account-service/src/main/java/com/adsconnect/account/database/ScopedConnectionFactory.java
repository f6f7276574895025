package com.adsconnect.account.database;

import io.r2dbc.spi.Closeable;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.Wrapped;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hands out pooled connections as role {@code ads_connect_app}, scoped by the caller's
 * {@link UserScope}: one statement per acquisition sets the role and both scope settings for the
 * session, so a connection back from the pool never keeps the previous user's scope.
 */
final class ScopedConnectionFactory implements ConnectionFactory, Wrapped<ConnectionFactory>, Closeable {

    static final String ROLE = "ads_connect_app";
    private static final String SCOPE = "SELECT set_config('role', '" + ROLE + "', false), "
            + "set_config('ads_connect.scope', $1, false), set_config('ads_connect.user_id', $2, false)";

    private final ConnectionFactory pool;

    ScopedConnectionFactory(ConnectionFactory pool) {
        this.pool = pool;
    }

    @Override
    public Mono<Connection> create() {
        return Mono.deferContextual(context -> {
            String user = UserScope.userOf(context);
            return Mono.from(pool.create()).flatMap(connection -> Flux.from(connection.createStatement(SCOPE)
                            .bind("$1", user == null ? "all" : "user")
                            .bind("$2", user == null ? "" : user)
                            .execute())
                    .flatMap(result -> result.map((row, metadata) -> 1))
                    .then(Mono.just(connection))
                    .onErrorResume(error -> Mono.from(connection.close()).then(Mono.error(error))));
        });
    }

    @Override
    public ConnectionFactoryMetadata getMetadata() {
        return pool.getMetadata();
    }

    /** The pool behind it (pool metrics look for it). */
    @Override
    public ConnectionFactory unwrap() {
        return pool;
    }

    /** Closes the pool when the application context closes. */
    @Override
    public Mono<Void> close() {
        return pool instanceof Closeable closeable ? Mono.from(closeable.close()) : Mono.empty();
    }
}
