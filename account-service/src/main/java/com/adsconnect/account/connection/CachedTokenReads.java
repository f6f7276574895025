package com.adsconnect.account.connection;

import com.adsconnect.account.connection.ConnectionStore.WithAccessToken;
import com.adsconnect.account.database.DatabaseNotifications;
import com.adsconnect.account.database.ListenerProperties;
import com.adsconnect.account.provider.AdvertisingProfile;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

/**
 * The internal token API's reads of a connection with its encrypted access token, and of its
 * advertising profiles (the call context of Google's and Microsoft's tokens), kept in memory between
 * requests so that a token asked for again does not cost PostgreSQL round trips. The token stays
 * encrypted in memory and is decrypted per request, as when read from the table.
 *
 * <p>PostgreSQL says when an entry must go: triggers notify {@value #CHANNEL} with the
 * connection's id when its row, its tokens or its profiles change, committed by any replica, job or
 * operator (migrations V16 and V17), and {@link DatabaseNotifications} delivers it here. What this relies on, and
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
    private final long maxStalenessNanos;
    /** What was read, or the {@link Loading} marker of the read filling it. */
    private final Cache<Key, Object> cache;
    private final ConcurrentMap<Key, Object> entries;
    private final AtomicLong epoch = new AtomicLong();
    private final Disposable.Composite subscriptions = Disposables.composite();
    private final Map<Kind, Counters> counters = new EnumMap<>(Kind.class);

    /** What an entry holds: a connection's row with its encrypted access token, or its advertising profiles. */
    private enum Kind {
        CONNECTION, PROFILES
    }

    private record Key(UUID connectionId, Kind kind) {
    }

    private record Counters(Counter hits, Counter misses, Counter bypasses) {
    }

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
        this.maxStalenessNanos = properties.maxStaleness().toNanos();
        this.cache = Caffeine.newBuilder()
                .maximumSize(properties.maxEntries())
                .expireAfterWrite(properties.maxAge())
                // evictions run on the writing thread: a flood of new entries cannot outrun them
                .executor(Runnable::run)
                .build();
        this.entries = cache.asMap();
        for (Kind kind : Kind.values()) {
            counters.put(kind, new Counters(reads(meters, kind, "hit"), reads(meters, kind, "miss"), reads(meters, kind, "bypass")));
        }
        subscriptions.add(notifications.payloads(CHANNEL).subscribe(this::changed));
        subscriptions.add(notifications.sessionsLost().subscribe(lost -> forgetAll()));
    }

    private static Counter reads(MeterRegistry meters, Kind kind, String result) {
        return Counter.builder("token.read.cache")
                .description("Token API reads of a connection or its profiles: from memory (hit), from PostgreSQL and kept (miss), "
                        + "from PostgreSQL while memory could not be trusted or the entry was being read (bypass)")
                .tag("entry", kind.name().toLowerCase(Locale.ROOT))
                .tag("result", result)
                .register(meters);
    }

    /** The user's connection with its encrypted access token, as {@link ConnectionStore#findForUserWithAccessToken} reads it. */
    public Mono<WithAccessToken> findForUser(String userId, UUID id) {
        return read(new Key(id, Kind.CONNECTION), WithAccessToken.class, () -> store.findForUserWithAccessToken(userId, id))
                // the row belongs to one user: anyone else finds nothing, as the query would
                .filter(found -> userId.equals(found.connection().userId()));
    }

    /** The connection's advertising profiles, as {@link ConnectionStore#profilesOf} reads them (empty list: none). */
    @SuppressWarnings("unchecked")
    public Mono<List<AdvertisingProfile>> profilesOf(UUID connectionId) {
        return read(new Key(connectionId, Kind.PROFILES), List.class, () -> store.profilesOf(List.of(connectionId))
                .map(byConnection -> List.copyOf(byConnection.getOrDefault(connectionId, List.of()))))
                .map(profiles -> (List<AdvertisingProfile>) profiles);
    }

    /** The entry if it can be trusted, else PostgreSQL's answer, kept when no change or loss overtook the read. */
    private <T> Mono<T> read(Key key, Class<T> type, Supplier<Mono<T>> load) {
        if (!properties.enabled()) {
            return load.get();
        }
        Counters count = counters.get(key.kind());
        return Mono.defer(() -> {
            if (!current()) {
                count.bypasses().increment();
                return load.get();
            }
            Object held = entries.get(key);
            if (type.isInstance(held)) {
                count.hits().increment();
                return Mono.just(type.cast(held));
            }
            Loading loading = new Loading(epoch.get());
            if (held != null || entries.putIfAbsent(key, loading) != null) {
                // another request is reading it: read alongside, keep nothing
                count.bypasses().increment();
                return load.get();
            }
            if (epoch.get() != loading.epoch) {
                // the session was lost between the two reads of the epoch: this read may miss its notifications
                entries.remove(key, loading);
                count.bypasses().increment();
                return load.get();
            }
            count.misses().increment();
            return load.get()
                    .doOnNext(found -> {
                        if (epoch.get() == loading.epoch) {
                            entries.replace(key, loading, found);
                        }
                    })
                    // empty, failed or cancelled: the marker goes before the caller hears of it (a stored answer
                    // is not the marker, and stays), so no finished read keeps others from filling the entry
                    .doOnTerminate(() -> entries.remove(key, loading))
                    .doOnCancel(() -> entries.remove(key, loading));
        });
    }

    /** Whether every change committed more than {@code max-staleness} ago has been notified here. */
    private boolean current() {
        long delivered = notifications.deliveredUpTo();
        return delivered != DatabaseNotifications.NOTHING_DELIVERED
                && nanoTime.getAsLong() - delivered <= maxStalenessNanos;
    }

    private void changed(String connectionId) {
        UUID id;
        try {
            id = UUID.fromString(connectionId);
        } catch (IllegalArgumentException notAnId) {
            return;
        }
        for (Kind kind : Kind.values()) {
            entries.remove(new Key(id, kind));
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
