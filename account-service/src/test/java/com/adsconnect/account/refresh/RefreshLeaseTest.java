package com.adsconnect.account.refresh;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.Internal;
import com.adsconnect.account.support.TestApiKeys;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

@AccountServiceTest
class RefreshLeaseTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    RefreshCoordinator coordinator;

    @Autowired
    RefreshProperties properties;

    Api api;
    Db db;
    Internal internal;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
        internal = new Internal(web);
    }

    @Test
    void twoSchedulerReplicasNeverClaimTheSameConnection() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add((String) connect(api.as("user_claim_" + i), i % 2 == 0 ? "NA" : "EU").get("id"));
        }
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '5 minutes' WHERE user_id LIKE 'user_claim_%'");

        // two "replicas" claiming in small batches at the same time
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<CompletableFuture<Long>> replicas = List.of(
                CompletableFuture.supplyAsync(() -> claimAll(), pool),
                CompletableFuture.supplyAsync(() -> claimAll(), pool));
        long claimed = replicas.stream().mapToLong(CompletableFuture::join).sum();
        pool.shutdown();

        assertThat(claimed).isEqualTo(12);
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id LIKE 'user_claim_%' AND lease_generation = 1")).isEqualTo(12);
        // nothing is due any more while the leases run
        assertThat(coordinator.claimDue(100).block()).isZero();

        // a lease that expires unreported is claimed again, with the next generation
        db.execute("UPDATE connections SET lease_expires_at = now() - interval '1 second' WHERE id = ?::uuid", ids.getFirst());
        assertThat(coordinator.claimDue(100).block()).isEqualTo(1);
        assertThat(db.count("SELECT lease_generation FROM connections WHERE id = ?::uuid", ids.getFirst())).isEqualTo(2);
    }

    @Test
    void theSchedulerStopsClaimingWhileTooManyClaimsAreInFlight() {
        for (int i = 0; i < 7; i++) {
            connect(api.as("user_cap_" + i), "NA");
        }
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '5 minutes' WHERE user_id LIKE 'user_cap_%'");
        long inFlightBefore = coordinator.claimsInFlight().block();
        RefreshScheduler capped = new RefreshScheduler(coordinator, new RefreshProperties(properties.refreshWindow(), properties.keepAlive(),
                properties.minRemaining(), properties.urgentWait(), properties.leaseDuration(), properties.schedulerInterval(),
                2, (int) inFlightBefore + 5, properties.failureBackoff(), properties.maxFailureBackoff()),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());

        capped.run().block();
        assertThat(coordinator.claimsInFlight().block()).as("claimed up to the cap, in batches of 2").isEqualTo(inFlightBefore + 5);
        capped.run().block();
        assertThat(coordinator.claimsInFlight().block()).as("nothing more while the cap is reached").isEqualTo(inFlightBefore + 5);

        // two claims are reported (their leases end): room for two more, and no more
        db.execute("""
                UPDATE connections SET lease_expires_at = NULL, access_token_expires_at = now() + interval '1 hour'
                WHERE id IN (SELECT id FROM connections WHERE user_id LIKE 'user_cap_%' AND lease_expires_at > now() LIMIT 2)""");
        assertThat(coordinator.claimsInFlight().block()).isEqualTo(inFlightBefore + 3);
        capped.run().block();
        assertThat(coordinator.claimsInFlight().block()).isEqualTo(inFlightBefore + 5);
    }

    private long claimAll() {
        long total = 0;
        long claimed;
        do {
            claimed = coordinator.claimDue(2).block();
            total += claimed;
        } while (claimed > 0);
        return total;
    }

    @Test
    void concurrentLeasesForOneGenerationHaveOneWinner() {
        String id = claimedConnection("user_lease_race");

        List<Integer> statuses = reactor.core.publisher.Flux.range(0, 8)
                .flatMap(i -> Mono.fromCallable(() -> internal.lease(id, 1).returnResult(String.class).getStatus().value())
                        .subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()))
                .collectList().block();

        assertThat(statuses).containsOnly(200, 409);
        assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(1);
        internal.lease(id, 1).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/lease-unavailable");
    }

    @Test
    void theLeaseCarriesTheRefreshMaterialAndOnlyForTheCurrentGeneration() {
        String id = claimedConnection("user_lease_material");
        internal.lease(id, 2).expectStatus().isEqualTo(409);
        internal.lease(id, 1).expectStatus().isOk()
                .expectHeader().cacheControl(org.springframework.http.CacheControl.noStore())
                .expectBody()
                .jsonPath("$.generation").isEqualTo(1)
                .jsonPath("$.region").isEqualTo("NA")
                .jsonPath("$.refreshToken").value(token -> assertThat((String) token).startsWith("Atzr|"));
    }

    @Test
    void staleAndDuplicateReportsChangeNothing() {
        String id = claimedConnection("user_stale");
        internal.lease(id, 1).expectStatus().isOk();
        internal.report(Internal.success(id, 1, "Atza|first")).expectStatus().isOk().expectBody().jsonPath("$.applied").isEqualTo(true);
        String after = state(id);

        internal.report(Internal.success(id, 1, "Atza|duplicate")).expectStatus().isOk().expectBody().jsonPath("$.applied").isEqualTo(false);
        internal.report(Internal.success(id, 0, "Atza|older")).expectStatus().isOk().expectBody().jsonPath("$.applied").isEqualTo(false);
        internal.report(Internal.failure(id, 0, "PERMANENT_FAILURE", "invalid_grant")).expectBody().jsonPath("$.applied").isEqualTo(false);

        assertThat(state(id)).isEqualTo(after);
        internal.token(TestApiKeys.READER, Map.of("userId", "user_stale", "connectionId", id)).expectBody()
                .jsonPath("$.accessToken").isEqualTo("Atza|first");
    }

    @Test
    void aLateSuccessThatRotatedTheRefreshTokenIsKeptAndCallsOffTheNewerRefresh() {
        String id = claimedConnection("user_late_rotation");
        internal.lease(id, 1).expectStatus().isOk();
        // generation 1 refreshed at the provider, which rotated the refresh token; its report is late:
        // the lease ran out, generation 2 was claimed and taken with the old (now dead) refresh token
        expireLeaseAndClaimAgain(id);
        internal.lease(id, 2).expectStatus().isOk();

        internal.report(Internal.rotated(id, 1, "Atza|late", "Atzr|rotated-by-1")).expectStatus().isOk().expectBody()
                .jsonPath("$.applied").isEqualTo(true).jsonPath("$.result").isEqualTo("KEPT_ROTATED_REFRESH_TOKEN");
        assertThat(db.string("SELECT status FROM connections WHERE id = ?::uuid", id)).isEqualTo("ACTIVE");
        assertThat(db.count("SELECT count(*) FROM connections WHERE id = ?::uuid AND lease_expires_at IS NULL", id))
                .as("generation 2's lease is called off").isEqualTo(1);

        // generation 2's outcome, got with the refresh token the provider invalidated, does not count
        internal.report(Internal.failure(id, 2, "PERMANENT_FAILURE", "invalid_grant")).expectBody()
                .jsonPath("$.applied").isEqualTo(false).jsonPath("$.result").isEqualTo("STALE");
        assertThat(db.string("SELECT status FROM connections WHERE id = ?::uuid", id)).isEqualTo("ACTIVE");
        internal.token(TestApiKeys.READER, Map.of("userId", "user_late_rotation", "connectionId", id)).expectBody()
                .jsonPath("$.accessToken").isEqualTo("Atza|late");

        // the next refresh uses the rotated refresh token
        expireLeaseAndClaimAgain(id);
        internal.lease(id, 3).expectStatus().isOk().expectBody().jsonPath("$.refreshToken").isEqualTo("Atzr|rotated-by-1");
    }

    @Test
    void aLateRotationRevivesAConnectionTheOldRefreshTokenCouldNotRefresh() {
        String id = claimedConnection("user_late_revival");
        internal.lease(id, 1).expectStatus().isOk();
        expireLeaseAndClaimAgain(id);
        internal.lease(id, 2).expectStatus().isOk();
        internal.report(Internal.failure(id, 2, "PERMANENT_FAILURE", "invalid_grant")).expectBody().jsonPath("$.applied").isEqualTo(true);
        assertThat(db.string("SELECT status FROM connections WHERE id = ?::uuid", id)).isEqualTo("REAUTH_REQUIRED");

        internal.report(Internal.rotated(id, 1, "Atza|late", "Atzr|rotated-by-1")).expectBody()
                .jsonPath("$.result").isEqualTo("KEPT_ROTATED_REFRESH_TOKEN");

        assertThat(db.string("SELECT status FROM connections WHERE id = ?::uuid", id)).isEqualTo("ACTIVE");
        assertThat(db.string("""
                SELECT string_agg(action, ',' ORDER BY id) FROM audit_events
                WHERE user_id = 'user_late_revival' AND action LIKE 'connection.%'"""))
                .isEqualTo("connection.connected,connection.reauth_required,connection.recovered");
        internal.token(TestApiKeys.READER, Map.of("userId", "user_late_revival", "connectionId", id)).expectStatus().isOk();
    }

    @Test
    void lateReportsWithoutARotationOrOlderThanTheStoredTokensChangeNothing() {
        String id = claimedConnection("user_late_plain");
        internal.lease(id, 1).expectStatus().isOk();
        expireLeaseAndClaimAgain(id);
        internal.lease(id, 2).expectStatus().isOk();
        internal.report(Internal.rotated(id, 2, "Atza|second", "Atzr|rotated-by-2")).expectBody()
                .jsonPath("$.result").isEqualTo("APPLIED");
        String after = state(id);

        // generation 1 answers late: without a rotation, or with one older than generation 2's
        internal.report(Internal.success(id, 1, "Atza|first")).expectBody()
                .jsonPath("$.applied").isEqualTo(false).jsonPath("$.result").isEqualTo("STALE");
        internal.report(Internal.rotated(id, 1, "Atza|first", "Atzr|rotated-by-1")).expectBody().jsonPath("$.result").isEqualTo("STALE");
        internal.report(Internal.rotated(id, 2, "Atza|again", "Atzr|again")).expectBody().jsonPath("$.result").isEqualTo("STALE");
        internal.report(Internal.rotated(id, 7, "Atza|future", "Atzr|future")).expectBody().jsonPath("$.result").isEqualTo("STALE");

        assertThat(state(id)).isEqualTo(after);
        expireLeaseAndClaimAgain(id);
        internal.lease(id, 3).expectStatus().isOk().expectBody().jsonPath("$.refreshToken").isEqualTo("Atzr|rotated-by-2");
    }

    @Test
    void aProvidersRetryAfterLongerThanTheBackoffIsHonoured() {
        String id = claimedConnection("user_retry_after");
        internal.lease(id, 1).expectStatus().isOk();
        internal.report(Map.of("connectionId", id, "generation", 1, "outcome", "TRANSIENT_FAILURE", "errorCode", "rate_limited",
                "retryAfterSeconds", 1200)).expectBody().jsonPath("$.applied").isEqualTo(true);
        assertThat(db.count("SELECT extract(epoch FROM next_refresh_at - now())::bigint FROM connections WHERE id = ?::uuid", id))
                .isBetween(1190L, 1200L);
        // a refresher retrying from its retry topic gets no new generation before then either
        web.post().uri("/internal/v1/refresh/claims").headers(h -> h.setBearerAuth(TestApiKeys.REFRESHER))
                .contentType(org.springframework.http.MediaType.APPLICATION_JSON).bodyValue(Map.of("connectionId", id)).exchange()
                .expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/lease-unavailable");
        assertThat(db.count("SELECT lease_generation FROM connections WHERE id = ?::uuid", id)).isEqualTo(1);
        internal.report(Map.of("connectionId", id, "generation", 1, "outcome", "TRANSIENT_FAILURE", "errorCode", "rate_limited",
                "retryAfterSeconds", -1)).expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("retryAfterSeconds");
    }

    /** The lease runs out unreported (or was called off), and the connection is claimed again. */
    private void expireLeaseAndClaimAgain(String id) {
        db.execute("UPDATE connections SET lease_expires_at = now() - interval '1 second' WHERE id = ?::uuid AND lease_expires_at IS NOT NULL", id);
        assertThat(coordinator.claimUrgent(java.util.UUID.fromString(id)).block().result())
                .isEqualTo(RefreshCoordinator.UrgentClaim.Result.CLAIMED);
    }

    @Test
    void outcomesMoveTheStatusAndEmitEvents() {
        String id = claimedConnection("user_outcomes");
        internal.lease(id, 1).expectStatus().isOk();
        internal.report(Internal.failure(id, 1, "TRANSIENT_FAILURE", "server_error")).expectBody().jsonPath("$.applied").isEqualTo(true);
        assertThat(db.string("SELECT status || ':' || last_error_code FROM connections WHERE id = ?::uuid", id))
                .isEqualTo("REFRESH_FAILING:server_error");
        assertThat(db.count("SELECT count(*) FROM connections WHERE id = ?::uuid AND next_refresh_at > now()", id)).isEqualTo(1);
        api.as("user_outcomes").get().uri("/api/v1/amazon/connections/" + id).exchange().expectBody()
                .jsonPath("$.status").isEqualTo("REFRESH_FAILING").jsonPath("$.health.warning").isNotEmpty();

        db.execute("UPDATE connections SET next_refresh_at = NULL WHERE id = ?::uuid", id);
        assertThat(coordinator.claimDue(10).block()).isEqualTo(1);
        internal.lease(id, 2).expectStatus().isOk();
        internal.report(Internal.success(id, 2, "Atza|recovered")).expectBody().jsonPath("$.applied").isEqualTo(true);
        assertThat(db.string("SELECT status FROM connections WHERE id = ?::uuid", id)).isEqualTo("ACTIVE");

        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '1 minute' WHERE id = ?::uuid", id);
        assertThat(coordinator.claimDue(10).block()).isEqualTo(1);
        internal.lease(id, 3).expectStatus().isOk();
        internal.report(Internal.failure(id, 3, "PERMANENT_FAILURE", "invalid_grant")).expectBody().jsonPath("$.applied").isEqualTo(true);
        assertThat(db.string("SELECT status || ':' || last_error_code FROM connections WHERE id = ?::uuid", id))
                .isEqualTo("REAUTH_REQUIRED:invalid_grant");
        internal.token(TestApiKeys.READER, Map.of("userId", "user_outcomes", "connectionId", id)).expectStatus().isEqualTo(409);
        assertThat(coordinator.claimDue(10).block()).isZero();

        assertThat(db.string("""
                SELECT string_agg(action, ',' ORDER BY id) FROM audit_events
                WHERE user_id = 'user_outcomes' AND action LIKE 'connection.%'"""))
                .isEqualTo("connection.connected,connection.refresh_failing,connection.recovered,connection.reauth_required");
    }

    @Test
    void badReportsAnswer400AndChangeNothing() {
        String id = claimedConnection("user_bad_report");
        internal.lease(id, 1).expectStatus().isOk();
        String before = state(id);
        internal.report(Map.of("connectionId", id, "generation", 1, "outcome", "SUCCESS")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("accessToken");
        internal.report(Map.of("connectionId", id, "generation", 1)).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("outcome");
        internal.report(Map.of("connectionId", id, "generation", 1, "outcome", "MAYBE")).expectStatus().isBadRequest();
        assertThat(state(id)).isEqualTo(before);
    }

    private String claimedConnection(String user) {
        String id = (String) connect(api.as(user), "NA").get("id");
        Claims.claimOnly(db, coordinator, id);
        return id;
    }

    private String state(String id) {
        return db.string("""
                SELECT c.status || c.version || coalesce(c.last_error_code, '') || md5(t.access_token_ciphertext::text)
                FROM connections c JOIN connection_tokens t ON t.connection_id = c.id WHERE c.id = ?::uuid""", id);
    }
}
