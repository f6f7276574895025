package com.adsconnect.account.database;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.postgresql.api.Notification;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * PostgreSQL LISTEN for the whole service: one dedicated connection outside the pool listens on
 * every channel asked for through {@link #payloads}, and is opened again with backoff when lost.
 *
 * <p>It also says how far it can be trusted. The session notifies itself every
 * {@code database.listener.heartbeat-interval} on a channel of its own; PostgreSQL delivers a
 * session's notifications in commit order, so once a heartbeat sent at time <i>t</i> arrives,
 * every notification of a transaction committed before <i>t</i> has arrived too
 * ({@link #deliveredUpTo()}). A session that delivers nothing for
 * {@code database.listener.heartbeat-timeout} (a stalled link, a half-open TCP connection) is
 * closed and opened again; each session that ends is announced on {@link #sessionsLost()}, since
 * what was notified while no session listened is gone.
 */
@Component
public class DatabaseNotifications implements SmartLifecycle {

    /** {@link #deliveredUpTo()} while no session has proved itself since the last was lost. */
    public static final long NOTHING_DELIVERED = Long.MIN_VALUE;

    private static final Logger log = LoggerFactory.getLogger(DatabaseNotifications.class);

    private final ConnectionFactory connectionFactory;
    private final ListenerProperties properties;
    private final LongSupplier nanoTime;
    /** This process's own heartbeat channel: other replicas' heartbeats carry another clock. */
    private final String heartbeatChannel = "heartbeat_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    private final Map<String, Sinks.Many<String>> channels = new ConcurrentHashMap<>();
    private final Sinks.Many<Long> lost = Sinks.many().multicast().directBestEffort();
    /** The current session's number and what its heartbeats proved: changed together, so a dead session's late heartbeat cannot prove anything. */
    private final AtomicReference<Proof> proof = new AtomicReference<>(new Proof(0, NOTHING_DELIVERED));
    private volatile Disposable subscription;

    private record Proof(long session, long deliveredUpTo) {
    }

    @Autowired
    DatabaseNotifications(ConnectionFactory connectionFactory, ListenerProperties properties, MeterRegistry meters) {
        this(connectionFactory, properties, meters, System::nanoTime);
    }

    DatabaseNotifications(ConnectionFactory connectionFactory, ListenerProperties properties, MeterRegistry meters, LongSupplier nanoTime) {
        // the driver's factory behind the scoping wrapper and the pool: a session of its own, never handed back
        this.connectionFactory = ScopedConnectionFactory.innermost(connectionFactory, ConnectionFactory.class);
        this.properties = properties;
        this.nanoTime = nanoTime;
        Gauge.builder("database.listener.proof.age", this, DatabaseNotifications::proofAgeSeconds)
                .description("How old the LISTEN session's last proof is (every commit before it was delivered); "
                        + "+Inf while no session has proved itself since the last was lost")
                .baseUnit("seconds")
                .register(meters);
    }

    private double proofAgeSeconds() {
        long delivered = deliveredUpTo();
        return delivered == NOTHING_DELIVERED ? Double.POSITIVE_INFINITY : (nanoTime.getAsLong() - delivered) / 1e9;
    }

    /**
     * The payloads notified on {@code channel} from now on (hot; a slow subscriber misses some).
     * Channels are listened to from {@link #start()}: ask before it, from a constructor.
     */
    public Flux<String> payloads(String channel) {
        if (!channel.matches("[a-z_]{1,63}")) {
            throw new IllegalArgumentException("not a channel name of ours: " + channel);
        }
        if (subscription != null && !channels.containsKey(channel)) {
            throw new IllegalStateException("LISTEN " + channel + " asked for after the session started");
        }
        return channels.computeIfAbsent(channel, name -> Sinks.many().multicast().directBestEffort()).asFlux();
    }

    /**
     * A {@link System#nanoTime()} value: every notification of a transaction committed before it
     * has been delivered to the subscribers; {@link #NOTHING_DELIVERED} while no session has proved
     * itself since the last one was lost.
     */
    public long deliveredUpTo() {
        return proof.get().deliveredUpTo();
    }

    /** Emits once each time a session is lost (the number of the next), after {@link #deliveredUpTo()} was reset. */
    public Flux<Long> sessionsLost() {
        return lost.asFlux();
    }

    @Override
    public void start() {
        subscription = Mono.usingWhen(
                        Mono.from(connectionFactory.create()).cast(PostgresqlConnection.class),
                        this::session,
                        PostgresqlConnection::close,
                        (connection, error) -> connection.close(),
                        PostgresqlConnection::close)
                .doOnError(this::sessionLost)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(10)))
                .subscribe(null, error -> log.warn("LISTEN stopped: {}", error.toString()));
    }

    /** Listens until the session fails: it never completes. */
    private Mono<Void> session(PostgresqlConnection connection) {
        long session = proof.get().session();
        Flux<Notification> delivered = connection.getNotifications()
                // heartbeats keep a live session talking; silence this long means it is not
                .timeout(properties.heartbeatTimeout())
                .doOnNext(this::deliver);
        Mono<Void> listen = Flux.concat(channels.keySet().stream().map(channel -> listen(connection, channel)).toList())
                .then(listen(connection, heartbeatChannel));
        Flux<Void> heartbeats = Flux.interval(Duration.ZERO, properties.heartbeatInterval())
                .onBackpressureDrop()
                .concatMap(tick -> heartbeat(connection, session), 1);
        // whichever ends first ends the session: the link closed, the silence timed out, a heartbeat failed
        return Mono.firstWithSignal(delivered.then(), listen.thenMany(heartbeats).then())
                .then(Mono.error(() -> new IllegalStateException("LISTEN session ended")));
    }

    private static Mono<Void> listen(PostgresqlConnection connection, String channel) {
        return connection.createStatement("LISTEN " + channel).execute().flatMap(result -> result.getRowsUpdated()).then();
    }

    /** Notifies this session's number and the time before the notification's commit. */
    private Mono<Void> heartbeat(PostgresqlConnection connection, long session) {
        long sent = nanoTime.getAsLong();
        return connection.createStatement("SELECT pg_notify($1, $2)")
                .bind("$1", heartbeatChannel).bind("$2", session + ":" + sent)
                .execute()
                .flatMap(result -> result.map((row, metadata) -> row))
                .then();
    }

    private void deliver(Notification notification) {
        String payload = notification.getParameter();
        if (payload == null) {
            return;
        }
        if (heartbeatChannel.equals(notification.getName())) {
            int colon = payload.indexOf(':');
            long session = Long.parseLong(payload, 0, colon, 10);
            long sent = Long.parseLong(payload, colon + 1, payload.length(), 10);
            proof.updateAndGet(current -> current.session() == session
                    && (current.deliveredUpTo() == NOTHING_DELIVERED || sent - current.deliveredUpTo() > 0)
                    ? new Proof(session, sent) : current);
            return;
        }
        Sinks.Many<String> sink = channels.get(notification.getName());
        if (sink != null) {
            sink.tryEmitNext(payload);
        }
    }

    private void sessionLost(Throwable why) {
        // forget first: whoever hears of the loss must find the session untrusted already
        long next = endSession();
        log.info("LISTEN session lost, reconnecting: {}", why.toString());
        lost.tryEmitNext(next);
    }

    /** Nothing is proven any more, and the ended session's heartbeats still on their way prove nothing either. */
    private long endSession() {
        return proof.updateAndGet(current -> new Proof(current.session() + 1, NOTHING_DELIVERED)).session();
    }

    @Override
    public void stop() {
        Disposable current = subscription;
        if (current != null) {
            current.dispose();
        }
        endSession();
    }

    @Override
    public boolean isRunning() {
        Disposable current = subscription;
        return current != null && !current.isDisposed();
    }
}
