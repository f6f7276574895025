package com.adsconnect.account.connection;

import com.adsconnect.account.connection.ConnectionStore.WithAccessToken;
import com.adsconnect.account.database.DatabaseNotifications;
import com.adsconnect.account.database.ListenerProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

/**
 * The internal token API's read of a connection and its encrypted access token, kept in memory
 * between requests so that a token asked for again does not cost a PostgreSQL round trip. The
 * token stays encrypted in memory and is decrypted per request, as when read from the table.
 *
 * <p>PostgreSQL says when an entry must go: a trigger notifies {@value #CHANNEL} with the
 * connection's id when its row or its tokens change, committed by any replica, job or operator
 * (migration V16), and {@link DatabaseNotifications} delivers it here. What this relies on, and
 * how each case is met:
 * <ul>
 * <li><b>A change committed while its row is being read here</b> (the read's snapshot is older
 *     than the change, and the change's notification arrives before the read's answer): the read
 *     first marks the entry as loading, with a marker of its own; the notification removes the
 *     marker, and the answer is only stored in place of that same marker. It is still served once,
 *     as a read without a cache would be.</li>
 * <li><b>A notification arriving after the entry was stored</b>: it removes the entry. Until it
 *     arrives the old row may be served; that is the delay of a notification, milliseconds.</li>
 * <li><b>Notifications that stall</b> (a slow link, a half-open TCP connection): entries are only
 *     served while {@link DatabaseNotifications#deliveredUpTo()} is less than
 *     {@code token-vault.read-cache.max-staleness} old. Past that every request reads
 *     PostgreSQL, until a heartbeat shows the notifications current again, with every one
 *     delayed meanwhile applied.</li>
 * <li><b>The LISTEN session lost</b>: what was notified while nobody listened is gone, so every
 *     entry is dropped, and nothing is stored or served until a new session proves itself. A read
 *     that began before the loss stores nothing: the loss bumps an epoch before it clears, and a
 *     read stores its answer only while the epoch it began in is current.</li>
 * <li><b>A token close to its end</b>: the caller checks the expiry on every request against the
 *     clock, not against when the entry was stored; a refresh's new token arrives as a change.</li>
 * </ul>
 * Bounded by {@code max-entries}; an entry is read again after {@code max-age} in any case.
 */
@Component
public class CachedTokenReads implements DisposableBean {

    static final String CHANNEL = "connection_changed";

    private final ConnectionStore store;
    private final DatabaseNotifications notifications;
    private final TokenReadCacheProperties properties;
    private final LongSupplier nanoTime;
    /** A connection's id to its {@link WithAccessToken}, or to the {@link Loading} marker of the read filling it. */
    private final Cache<UUID, Object> cache;
    private final ConcurrentMap<UUID, Object> entries;
    private final AtomicLong epoch = new AtomicLong();
    private final Disposable.Composite subscriptions = Disposables.composite();
    private final Counter hits;
    private final Counter misses;
    private final Counter bypasses;

    /** A read filling an entry: compared by identity, so only the read that put it there replaces it. */
    private static final class Loading {
        final long epoch;

        Loading(long epoch) {
            this.epoch = epoch;
        }
    }

    @Autowired
    CachedTokenReads(ConnectionStore store, DatabaseNotifications notifications, TokenReadCacheProperties properties,
            ListenerProperties listener, MeterRegistry meters) {
        this(store, notifications, properties, listener, meters, System::nanoTime);
    }

    CachedTokenReads(ConnectionStore store, DatabaseNotifications notifications, TokenReadCacheProperties properties,
            ListenerProperties listener, MeterRegistry meters, LongSupplier nanoTime) {
        if (properties.enabled() && properties.maxStaleness().compareTo(listener.heartbeatInterval()) <= 0) {
            throw new IllegalArgumentException("token-vault.read-cache.max-staleness must be longer than "
                    + "database.listener.heartbeat-interval, or nothing would ever be served from memory");
        }
        this.store = store;
        this.notifications = notifications;
        this.properties = properties;
        this.nanoTime = nanoTime;
        this.cache = Caffeine.newBuilder()
                .maximumSize(properties.maxEntries())
                .expireAfterWrite(properties.maxAge())
                // evictions run on the writing thread: a flood of new entries cannot outrun them
                .executor(Runnable::run)
                .build();
        this.entries = cache.asMap();
        this.hits = reads(meters, "hit");
        this.misses = reads(meters, "miss");
        this.bypasses = reads(meters, "bypass");
        subscriptions.add(notifications.payloads(CHANNEL).subscribe(this::changed));
        subscriptions.add(notifications.sessionsLost().subscribe(lost -> forgetAll()));
    }

    private static Counter reads(MeterRegistry meters, String result) {
        return Counter.builder("token.read.cache")
                .description("Token API reads of a connection: from memory (hit), from PostgreSQL and kept (miss), "
                        + "from PostgreSQL while memory could not be trusted or the entry was being read (bypass)")
                .tag("result", result)
                .register(meters);
    }

    /** The user's connection with its encrypted access token, as {@link ConnectionStore#findForUserWithAccessToken} reads it. */
    public Mono<WithAccessToken> findForUser(String userId, UUID id) {
        if (!properties.enabled()) {
            return store.findForUserWithAccessToken(userId, id);
        }
        return Mono.defer(() -> {
            if (!current()) {
                bypasses.increment();
                return store.findForUserWithAccessToken(userId, id);
            }
            Object held = entries.get(id);
            if (held instanceof WithAccessToken found) {
                hits.increment();
                // the row belongs to one user: anyone else finds nothing, as the query would
                return userId.equals(found.connection().userId()) ? Mono.just(found) : Mono.empty();
            }
            Loading loading = new Loading(epoch.get());
            if (held != null || entries.putIfAbsent(id, loading) != null) {
                // another request is reading it: read alongside, keep nothing
                bypasses.increment();
                return store.findForUserWithAccessToken(userId, id);
            }
            if (epoch.get() != loading.epoch) {
                // the session was lost between the two reads of the epoch: this read may miss its notifications
                entries.remove(id, loading);
                bypasses.increment();
                return store.findForUserWithAccessToken(userId, id);
            }
            misses.increment();
            return store.findForUserWithAccessToken(userId, id)
                    .doOnNext(found -> {
                        if (epoch.get() == loading.epoch) {
                            entries.replace(id, loading, found);
                        }
                    })
                    // empty, failed or cancelled: the marker goes (a stored answer is not the marker, and stays)
                    .doFinally(signal -> entries.remove(id, loading));
        });
    }

    /** Whether every change committed more than {@code max-staleness} ago has been notified here. */
    private boolean current() {
        long delivered = notifications.deliveredUpTo();
        return delivered != DatabaseNotifications.NOTHING_DELIVERED
                && nanoTime.getAsLong() - delivered <= properties.maxStaleness().toNanos();
    }

    private void changed(String connectionId) {
        try {
            entries.remove(UUID.fromString(connectionId));
        } catch (IllegalArgumentException notAnId) {
            // nothing of ours
        }
    }

    private void forgetAll() {
        // epoch first: a read that has not put its marker yet sees the new epoch after putting it
        epoch.incrementAndGet();
        entries.clear();
    }

    /** How many connections are held (markers of reads in flight included). */
    int size() {
        cache.cleanUp();
        return entries.size();
    }

    @Override
    public void destroy() {
        subscriptions.dispose();
    }
}
