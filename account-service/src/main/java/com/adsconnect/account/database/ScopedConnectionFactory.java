package com.adsconnect.account.database;

import io.r2dbc.spi.Closeable;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.Wrapped;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.LongSupplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hands out pooled connections scoped, as role {@code ads_connect_app}, by the caller's
 * {@link UserScope}, when row-level security is on, and checked with a round trip unless one
 * succeeded very recently.
 *
 * <p>An acquisition sends the statement that sets the role and both scope settings when the session
 * does not have the wanted scope yet. The scope each physical connection was last given is
 * remembered: session settings outlive the acquisition, and the statement runs outside any
 * transaction, so nothing rolls it back. A connection back from the pool thus never keeps the
 * previous user's scope, and row-level security costs no round trip of its own.
 *
 * <p>A session that already has the wanted scope is checked with {@code SELECT 1}, as a pool's
 * validation query would (the pool itself only checks that the connection is open), unless its
 * last statement here succeeded less than {@code database.alive-bypass-window} (500 ms) ago: a busy connection is
 * not asked whether it is alive between two requests a millisecond apart (HikariCP's
 * {@code aliveBypassWindowMs} works the same way, with the same 500 ms). A connection closed by the
 * database or the network within that window is still found by the pool's open check; one that
 * dies silently fails its request's statement, as it would have a moment later anyway. With
 * row-level security off ({@code database.row-level-security.enabled=false}, for measuring only)
 * only the check is made.
 *
 * <p>A connection whose statement failed (dropped by the database, or a dead link) is given back
 * and the acquisition tried once more, as the pool's own validation would; the session's scope is
 * forgotten first, so a half-applied one is never trusted.
 */
final class ScopedConnectionFactory implements ConnectionFactory, Wrapped<ConnectionFactory>, Closeable {

    static final String ROLE = "ads_connect_app";
    private static final String SCOPE = "SELECT set_config('role', '" + ROLE + "', false), "
            + "set_config('ads_connect.scope', $1, false), set_config('ads_connect.user_id', $2, false)";
    private static final String VALIDATE = "SELECT 1";
    private static final String ALL = "all";
    /** How long a successful statement here vouches for its connection by default: no check within it. */
    static final Duration ALIVE_BYPASS_WINDOW = Duration.ofMillis(500);

    private final ConnectionFactory pool;
    private final boolean rowLevelSecurity;
    private final long aliveBypassNanos;
    private final LongSupplier nanoTime;
    /** The scope each physical connection's session has, and when a statement here last succeeded on it (the pool's connections, weakly: a closed one drops out). */
    private final Map<Connection, Session> sessions = Collections.synchronizedMap(new WeakHashMap<>());

    private record Session(String scope, long checkedAtNanos) {
    }

    ScopedConnectionFactory(ConnectionFactory pool, boolean rowLevelSecurity, Duration aliveBypassWindow, LongSupplier nanoTime) {
        this.pool = pool;
        this.rowLevelSecurity = rowLevelSecurity;
        this.aliveBypassNanos = aliveBypassWindow.toNanos();
        this.nanoTime = nanoTime;
    }

    @Override
    public Mono<Connection> create() {
        return Mono.deferContextual(context -> {
            String user = UserScope.userOf(context);
            return acquire(user)
                    .onErrorResume(DeadConnection.class, dead -> acquire(user))
                    .onErrorMap(DeadConnection.class, Throwable::getCause);
        });
    }

    private Mono<Connection> acquire(String user) {
        String wanted = user == null ? ALL : "user:" + user;
        return Mono.from(pool.create()).flatMap(connection -> {
            Connection physical = physical(connection);
            Session known = sessions.get(physical);
            boolean scoped = !rowLevelSecurity || (known != null && wanted.equals(known.scope()));
            if (scoped && known != null && nanoTime.getAsLong() - known.checkedAtNanos() < aliveBypassNanos) {
                return Mono.just(connection);
            }
            // forget first: if the statement fails half-way, the session's scope is unknown
            sessions.remove(physical);
            Statement statement = scoped ? connection.createStatement(VALIDATE)
                    : connection.createStatement(SCOPE).bind("$1", user == null ? ALL : "user").bind("$2", user == null ? "" : user);
            return Flux.from(statement.execute())
                    .flatMap(result -> result.map((row, metadata) -> 1))
                    .then(Mono.fromRunnable(() -> sessions.put(physical, new Session(wanted, nanoTime.getAsLong()))))
                    .thenReturn(connection)
                    .onErrorResume(error -> Mono.from(connection.close()).then(Mono.error(new DeadConnection(error))));
        });
    }

    /** A pooled connection whose check failed: worth one more acquisition. */
    private static final class DeadConnection extends RuntimeException {
        DeadConnection(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** The driver's connection behind the pool's wrapper: the session whose settings persist. */
    static Connection physical(Connection connection) {
        return innermost(connection, Connection.class);
    }

    /** What stands behind every {@link Wrapped} layer of the same kind: the pool's, this factory's. */
    static <T> T innermost(T outer, Class<T> kind) {
        T current = outer;
        while (current instanceof Wrapped<?> wrapped && kind.isInstance(wrapped.unwrap()) && wrapped.unwrap() != current) {
            current = kind.cast(wrapped.unwrap());
        }
        return current;
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
