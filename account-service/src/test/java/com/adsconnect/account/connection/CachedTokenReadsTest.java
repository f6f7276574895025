package com.adsconnect.account.connection;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.connection.ConnectionStore.WithAccessToken;
import com.adsconnect.account.database.DatabaseNotifications;
import com.adsconnect.account.database.ListenerProperties;
import com.adsconnect.account.provider.AdvertisingProfile;
import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.Internal;
import com.adsconnect.account.support.NotifiedChanges;
import com.adsconnect.account.support.TestApiKeys;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The token API's memory of connections ({@link CachedTokenReads}) against the real PostgreSQL,
 * its trigger (V16) and the service's own LISTEN session. Each test builds its own cache over a
 * store that counts the reads which reached PostgreSQL and can hold a read's answer (the query has
 * run, its snapshot is taken) until the test lets it go; changes are committed with the test's own
 * SQL, as another replica would commit them. Nothing waits on a timer: a test that needs a change
 * notified waits for the heartbeat that proves it was ({@link NotifiedChanges}).
 */
@AccountServiceTest
class CachedTokenReadsTest {

    private static final Duration STALENESS = Duration.ofSeconds(3);

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    DatabaseClient databaseClient;

    @Autowired
    DatabaseNotifications notifications;

    @Autowired
    ListenerProperties listener;

    Api api;
    Db db;
    Internal internal;

    /** Reads of a connection's row that reached PostgreSQL. */
    final AtomicInteger reads = new AtomicInteger();
    /** Reads of a connection's profiles that reached PostgreSQL. */
    final AtomicInteger profileReads = new AtomicInteger();
    /** Holds each read's answer, once PostgreSQL gave it, until it completes. */
    volatile Mono<Void> answerHeld = Mono.empty();
    /** Counted down when a read's answer arrived from PostgreSQL (before it is held). */
    volatile CountDownLatch answered = new CountDownLatch(1);
    /** Added to the clock the cache sees. */
    final AtomicLong clockAhead = new AtomicLong();

    ConnectionStore store;
    final List<CachedTokenReads> built = new ArrayList<>();

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
        internal = new Internal(web);
        store = new ConnectionStore(databaseClient) {
            @Override
            public Mono<WithAccessToken> findForUserWithAccessToken(String userId, UUID id) {
                reads.incrementAndGet();
                return super.findForUserWithAccessToken(userId, id)
                        .doOnNext(found -> answered.countDown())
                        .delayUntil(found -> answerHeld);
            }

            @Override
            public Mono<Map<UUID, List<AdvertisingProfile>>> profilesOf(Collection<UUID> connectionIds) {
                profileReads.incrementAndGet();
                return super.profilesOf(connectionIds);
            }
        };
        Awaitility.await("a proven LISTEN session").atMost(Duration.ofSeconds(30)).until(this::sessionProven);
    }

    private CachedTokenReads cache(int maxEntries) {
        CachedTokenReads cache = new CachedTokenReads(store, notifications,
                new TokenReadCacheProperties(true, maxEntries, STALENESS, Duration.ofMinutes(10)),
                listener, new SimpleMeterRegistry(), () -> System.nanoTime() + clockAhead.get());
        built.add(cache);
        return cache;
    }

    @AfterEach
    void stopListening() {
        built.forEach(CachedTokenReads::destroy);
    }

    private boolean sessionProven() {
        long delivered = notifications.deliveredUpTo();
        return delivered != DatabaseNotifications.NOTHING_DELIVERED && System.nanoTime() - delivered < STALENESS.toNanos();
    }

    /**
     * Connects an account and returns its id once the connect's own notifications have arrived: one
     * arriving after a test's first read would drop the entry that read just kept.
     */
    private static String connected(WebTestClient user, String region) {
        String id = (String) connect(user, region).get("id");
        NotifiedChanges.awaitDelivered();
        return id;
    }

    private static WithAccessToken read(CachedTokenReads cache, String user, String id) {
        return cache.findForUser(user, UUID.fromString(id)).block(Duration.ofSeconds(10));
    }

    @Test
    void aConnectionReadAgainComesFromMemoryAndOnlyItsOwnerFindsIt() {
        String id = connected(api.as("user_cache_hit"), "NA");
        CachedTokenReads cache = cache(100);

        WithAccessToken first = read(cache, "user_cache_hit", id);
        WithAccessToken second = read(cache, "user_cache_hit", id);

        assertThat(reads).hasValue(1);
        assertThat(second).isSameAs(first);
        assertThat(second.accessTokenCiphertext()).isNotEmpty();
        // another user asking for this id finds nothing, as the query would, and reads nothing either
        StepVerifier.create(cache.findForUser("user_cache_other", UUID.fromString(id))).verifyComplete();
        assertThat(reads).hasValue(1);
        // an unknown connection is read every time and never kept
        UUID unknown = UUID.randomUUID();
        StepVerifier.create(cache.findForUser("user_cache_hit", unknown)).verifyComplete();
        StepVerifier.create(cache.findForUser("user_cache_hit", unknown)).verifyComplete();
        assertThat(reads).hasValue(3);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void everyChangeToTheRowOrItsTokensIsSeenOnceNotifiedAndALeaseChangesNothing() {
        String id = connected(api.as("user_cache_change"), "NA");
        CachedTokenReads cache = cache(100);
        WithAccessToken before = read(cache, "user_cache_change", id);

        // taking and clearing a lease touches no column the cache holds: no notification, still from memory
        db.execute("UPDATE connections SET lease_generation = lease_generation + 1, lease_expires_at = now() + interval '1 minute', "
                + "lease_taken_at = now() WHERE id = ?::uuid", id);
        db.execute("UPDATE connections SET lease_expires_at = NULL, lease_taken_at = NULL WHERE id = ?::uuid", id);
        NotifiedChanges.awaitDelivered();
        assertThat(read(cache, "user_cache_change", id)).isSameAs(before);
        assertThat(reads).hasValue(1);

        // a status changed elsewhere
        db.execute("UPDATE connections SET status = 'REFRESH_FAILING' WHERE id = ?::uuid", id);
        NotifiedChanges.awaitDelivered();
        assertThat(read(cache, "user_cache_change", id).connection().status()).isEqualTo(ConnectionStatus.REFRESH_FAILING);
        assertThat(reads).hasValue(2);

        // new token material (a refresh reported to another replica)
        db.execute("UPDATE connection_tokens SET access_token_ciphertext = refresh_token_ciphertext WHERE connection_id = ?::uuid", id);
        NotifiedChanges.awaitDelivered();
        WithAccessToken rotated = read(cache, "user_cache_change", id);
        assertThat(reads).hasValue(3);
        assertThat(rotated.accessTokenCiphertext()).isNotEqualTo(before.accessTokenCiphertext());

        // the tokens deleted (what a disconnect does first)
        db.execute("DELETE FROM connection_tokens WHERE connection_id = ?::uuid", id);
        NotifiedChanges.awaitDelivered();
        assertThat(read(cache, "user_cache_change", id).accessTokenCiphertext()).isNull();
        assertThat(reads).hasValue(4);
    }

    @Test
    void profilesReadAgainComeFromMemoryUntilOneChanges() {
        String id = connected(api.as("user_cache_profiles"), "NA");
        CachedTokenReads cache = cache(100);
        UUID connection = UUID.fromString(id);

        List<AdvertisingProfile> first = cache.profilesOf(connection).block(Duration.ofSeconds(10));
        assertThat(first).isNotEmpty();
        assertThat(cache.profilesOf(connection).block(Duration.ofSeconds(10))).isSameAs(first);
        assertThat(profileReads).hasValue(1);

        // the profiles synced elsewhere: a renamed account
        db.execute("UPDATE connection_profiles SET account_name = 'Renamed elsewhere' WHERE connection_id = ?::uuid", id);
        NotifiedChanges.awaitDelivered();
        assertThat(cache.profilesOf(connection).block(Duration.ofSeconds(10)))
                .extracting(AdvertisingProfile::accountName).containsOnly("Renamed elsewhere");
        assertThat(profileReads).hasValue(2);

        // all removed: an empty list, kept as such
        db.execute("DELETE FROM connection_profiles WHERE connection_id = ?::uuid", id);
        NotifiedChanges.awaitDelivered();
        assertThat(cache.profilesOf(connection).block(Duration.ofSeconds(10))).isEmpty();
        assertThat(cache.profilesOf(connection).block(Duration.ofSeconds(10))).isEmpty();
        assertThat(profileReads).hasValue(3);
    }

    @Test
    void theTriggerWatchesEveryColumnTheCacheHolds() {
        String definition = db.string("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 'connections_changed'");
        for (String column : ConnectionStore.COLUMNS.split(",")) {
            assertThat(definition).contains("old." + column.strip()).contains("new." + column.strip());
        }
    }

    @Test
    void aChangeNotifiedWhileItsReadWasOnTheWayIsNotKept() throws Exception {
        String id = connected(api.as("user_cache_race"), "NA");
        CachedTokenReads cache = cache(100);
        Sinks.Empty<Void> release = Sinks.empty();
        answerHeld = release.asMono();

        // the read has its answer from PostgreSQL (ACTIVE) but has not delivered it yet
        CompletableFuture<WithAccessToken> late = cache.findForUser("user_cache_race", UUID.fromString(id)).toFuture();
        assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
        // meanwhile another replica marks it for re-authorization, and the notification arrives here
        db.execute("UPDATE connections SET status = 'REAUTH_REQUIRED' WHERE id = ?::uuid", id);
        NotifiedChanges.awaitDelivered();
        answerHeld = Mono.empty();
        release.tryEmitEmpty();

        // the late answer is served once, as any read in flight during a commit would be, and not kept
        assertThat(late.get(10, TimeUnit.SECONDS).connection().status()).isEqualTo(ConnectionStatus.ACTIVE);
        assertThat(read(cache, "user_cache_race", id).connection().status()).isEqualTo(ConnectionStatus.REAUTH_REQUIRED);
        assertThat(reads).hasValue(2);
    }

    @Test
    void notificationsNotProvenRecentlyMeanEveryReadGoesToPostgres() {
        String id = connected(api.as("user_cache_stale"), "NA");
        CachedTokenReads cache = cache(100);
        read(cache, "user_cache_stale", id);
        read(cache, "user_cache_stale", id);
        assertThat(reads).hasValue(1);

        // the cache's clock passes the last heartbeat by more than max-staleness: nothing from memory
        clockAhead.set(STALENESS.plusSeconds(1).toNanos());
        read(cache, "user_cache_stale", id);
        read(cache, "user_cache_stale", id);
        assertThat(reads).hasValue(3);

        // heartbeats current again: the entry, whose notifications would all have arrived by now, serves again
        clockAhead.set(0);
        read(cache, "user_cache_stale", id);
        assertThat(reads).hasValue(3);
    }

    @Test
    void aLostListenSessionDropsEveryEntryAndAChangeMadeMeanwhileIsSeen() {
        String id = connected(api.as("user_cache_lost"), "NA");
        CachedTokenReads cache = cache(100);
        read(cache, "user_cache_lost", id);
        assertThat(cache.size()).isEqualTo(1);

        CompletableFuture<Long> lost = notifications.sessionsLost().next().toFuture();
        // the listener is the session whose last statement is its heartbeat
        assertThat(db.count("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = current_database() AND query = 'SELECT pg_notify($1, $2)' AND pid <> pg_backend_pid()""")).isPositive();
        // a change committed while no session listens: its notification may be lost
        db.execute("UPDATE connections SET status = 'REFRESH_FAILING' WHERE id = ?::uuid", id);
        Awaitility.await("the session lost").atMost(Duration.ofSeconds(10)).until(lost::isDone);
        Awaitility.await("every entry dropped").atMost(Duration.ofSeconds(10)).until(() -> cache.size() == 0);

        assertThat(read(cache, "user_cache_lost", id).connection().status()).isEqualTo(ConnectionStatus.REFRESH_FAILING);
        // a new session proves itself, and the cache fills again
        Awaitility.await("a new LISTEN session").atMost(Duration.ofSeconds(30)).until(this::sessionProven);
        int before = reads.get();
        read(cache, "user_cache_lost", id);
        read(cache, "user_cache_lost", id);
        assertThat(reads).hasValue(before + 1);
    }

    @Test
    void manyConnectionsStayWithinMaxEntries() {
        WebTestClient user = api.as("user_cache_flood");
        List<String> ids = List.of("NA", "EU", "FE").stream().map(region -> connected(user, region)).toList();
        CachedTokenReads cache = cache(2);
        for (int round = 0; round < 3; round++) {
            ids.forEach(id -> read(cache, "user_cache_flood", id));
        }
        assertThat(cache.size()).isLessThanOrEqualTo(2);
    }

    @Test
    void afterADisconnectIsNotifiedTheTokenApiServesNoToken() {
        WebTestClient user = api.as("user_cache_disconnect");
        String id = connected(user, "NA");
        Map<String, Object> body = Map.of("userId", "user_cache_disconnect", "connectionId", id);
        // read twice through the service's own cache: the second answer comes from memory
        internal.token(TestApiKeys.READER, body).expectStatus().isOk();
        internal.token(TestApiKeys.READER, body).expectStatus().isOk();

        user.delete().uri("/api/v1/amazon/connections/" + id).exchange().expectStatus().isOk();

        // Internal.token waits until the disconnect's notification has arrived
        internal.token(TestApiKeys.READER, body).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/connection-not-usable")
                .jsonPath("$.connectionStatus").isEqualTo("DISCONNECTED")
                .jsonPath("$.accessToken").doesNotExist();
    }
}
