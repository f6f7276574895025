package com.adsconnect.account.admin;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.refresh.RefreshCoordinator;
import com.adsconnect.account.refresh.RefreshCoordinator.Outcome;
import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.RefreshReports;
import com.adsconnect.account.support.TestApiKeys;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The admin API: its keys and scopes, the support flow, actions through the lifecycle, the audit search and its streamed export. */
@AccountServiceTest
class AdminApiTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    RefreshCoordinator coordinator;

    @Autowired
    MeterRegistry meters;

    @org.springframework.boot.test.web.server.LocalServerPort
    int port;

    Api api;
    Db db;
    RefreshReports refreshes;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
        refreshes = new RefreshReports(db, coordinator);
        infrastructure.amazon().reset();
    }

    private WebTestClient.ResponseSpec admin(String key, HttpMethod method, String uri) {
        return web.method(method).uri(uri).headers(h -> {
            if (key != null) {
                h.set("X-Api-Key", key);
            }
        }).exchange();
    }

    @Test
    void everyAdminEndpointRefusesNoKeyASessionTokenAKeyWithoutItsScopeAndChangesNothing() {
        String id = (String) connect(api.as("user_admin_guarded", Map.of("email", "guarded@example.com")), "NA").get("id");
        List<Object[]> reads = List.of(new Object[] {HttpMethod.GET, "/internal/v1/admin/users?email=guarded@example.com"},
                new Object[] {HttpMethod.GET, "/internal/v1/admin/connections"},
                new Object[] {HttpMethod.GET, "/internal/v1/admin/connections/" + id},
                new Object[] {HttpMethod.GET, "/internal/v1/admin/audit-events"},
                new Object[] {HttpMethod.GET, "/internal/v1/admin/audit-events/export?format=csv"});
        List<Object[]> writes = List.of(new Object[] {HttpMethod.POST, "/internal/v1/admin/connections/" + id + "/refresh"},
                new Object[] {HttpMethod.POST, "/internal/v1/admin/connections/" + id + "/reauthorization-required"},
                new Object[] {HttpMethod.DELETE, "/internal/v1/admin/connections/" + id});
        String session = infrastructure.clerk().sessionToken("user_admin_guarded");
        String before = state(id);
        long recorded = db.count("SELECT count(*) FROM admin_audit_events");
        for (List<Object[]> calls : List.of(reads, writes)) {
            for (Object[] call : calls) {
                HttpMethod method = (HttpMethod) call[0];
                String uri = (String) call[1];
                admin(null, method, uri).expectStatus().isUnauthorized()
                        .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/unauthorized");
                web.method(method).uri(uri).headers(h -> h.setBearerAuth(session)).exchange().expectStatus().isUnauthorized();
                admin(TestApiKeys.READER, method, uri).expectStatus().isForbidden()
                        .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/forbidden");
                admin(TestApiKeys.REVOKED, method, uri).expectStatus().isUnauthorized();
            }
        }
        for (Object[] call : writes) {
            admin(TestApiKeys.ADMIN_VIEWER, (HttpMethod) call[0], (String) call[1]).expectStatus().isForbidden();
        }
        assertThat(state(id)).isEqualTo(before);
        assertThat(db.count("SELECT count(*) FROM admin_audit_events")).as("nothing was answered, nothing to record").isEqualTo(recorded);
        // the gateway has no route to any of it: /internal is not under /api or /webhooks (AttackIT checks it on the packaged system)
    }

    @Test
    void supportFindsTheUserSeesWhyItsConnectionFailsForcesARefreshAndSeesItRecover() {
        String id = (String) connect(api.as("user_support_flow", Map.of("email", "Customer@Example.com")), "NA").get("id");
        refreshes.report(id, Outcome.TRANSIENT_FAILURE, "server_error");
        long since = db.count("SELECT coalesce(max(id), 0) FROM admin_audit_events");

        admin(TestApiKeys.ADMIN_VIEWER, HttpMethod.GET, "/internal/v1/admin/users?email=customer@example.COM").expectStatus().isOk()
                .expectBody()
                .jsonPath("$.users.length()").isEqualTo(1)
                .jsonPath("$.users[0].id").isEqualTo("user_support_flow")
                .jsonPath("$.users[0].connections.REFRESH_FAILING").isEqualTo(1);
        admin(TestApiKeys.ADMIN_VIEWER, HttpMethod.GET, "/internal/v1/admin/connections?status=refresh_failing&provider=amazon")
                .expectStatus().isOk().expectBody()
                .jsonPath("$.items[?(@.id == '" + id + "')].lastErrorCode").isEqualTo(List.of("server_error"))
                .jsonPath("$.counts.byStatus.REFRESH_FAILING").isNumber()
                .jsonPath("$.counts.byProvider.AMAZON").isNumber();
        admin(TestApiKeys.ADMIN_VIEWER, HttpMethod.GET, "/internal/v1/admin/connections/" + id).expectStatus().isOk().expectBody()
                .jsonPath("$.connection.status").isEqualTo("REFRESH_FAILING")
                .jsonPath("$.refresh.failuresInARow").isEqualTo(1)
                .jsonPath("$.refresh.nextAttemptAt").isNotEmpty()
                .jsonPath("$.refresh.failingSince").isNotEmpty()
                .jsonPath("$.tokenKeyId").isNumber()
                .jsonPath("$.timeline[0].kind").isEqualTo("REFRESH_FAILED")
                .jsonPath("$.timeline[0].errorCode").isEqualTo("server_error")
                .jsonPath("$..accessToken").doesNotExist()
                .jsonPath("$..refreshToken").doesNotExist();

        // the provider is back: support refreshes now, whatever the backoff
        admin(TestApiKeys.ADMIN, HttpMethod.POST, "/internal/v1/admin/connections/" + id + "/refresh").expectStatus().isOk()
                .expectBody().jsonPath("$.refresh").isEqualTo("CLAIMED");
        long generation = db.count("SELECT lease_generation FROM connections WHERE id = ?::uuid", id);
        coordinator.takeLease(java.util.UUID.fromString(id), generation).block();
        coordinator.report(RefreshReports.of(generation, id, Outcome.SUCCESS, null), "token-refresher").block();

        admin(TestApiKeys.ADMIN_VIEWER, HttpMethod.GET, "/internal/v1/admin/connections/" + id).expectBody()
                .jsonPath("$.connection.status").isEqualTo("ACTIVE")
                .jsonPath("$.timeline[0].kind").isEqualTo("RECOVERED");
        assertThat(db.string("SELECT string_agg(key_name || ' ' || action || ' ' || status, ', ' ORDER BY id) FROM admin_audit_events "
                + "WHERE id > ?", since))
                .isEqualTo("support-viewer GET users 200, support-viewer GET connections 200, support-viewer GET connections/{id} 200, "
                        + "support-console POST connections/{id}/refresh 200, support-viewer GET connections/{id} 200");
        assertThat(db.string("SELECT parameters->>'email' FROM admin_audit_events WHERE action = 'GET users' AND id > ?", since))
                .as("what was looked up is recorded").isEqualTo("customer@example.COM");
    }

    @Test
    void aForcedRefreshNeverDoublesOneInFlightNorAnotherForcedAtTheSameMoment() throws Exception {
        String id = (String) connect(api.as("user_support_race"), "NA").get("id");
        java.util.UUID connection = java.util.UUID.fromString(id);
        // events stay in the outbox, to be counted
        infrastructure.kafka().stop();
        try {
            long before = db.count("SELECT lease_generation FROM connections WHERE id = ?::uuid", id);
            String urgentEvents = "SELECT count(*) FROM outbox_events WHERE event_key = ? AND payload->>'reason' = 'URGENT'";

            // two support agents press "refresh" while a transaction holds the connection's row: both wait on it
            List<String> answers;
            var agents = java.util.concurrent.Executors.newFixedThreadPool(2);
            try (var held = db.hold()) {
                held.execute("SELECT 1 FROM connections WHERE id = ?::uuid FOR UPDATE", id);
                var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> forceRefresh(id), agents);
                var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> forceRefresh(id), agents);
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> first.isDone() || second.isDone()
                        || db.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                + "AND wait_event_type = 'Lock' AND query LIKE '%connections%'") >= 2);
                held.commit();
                answers = List.of(first.get(20, java.util.concurrent.TimeUnit.SECONDS), second.get(20, java.util.concurrent.TimeUnit.SECONDS));
            } finally {
                agents.shutdownNow();
            }
            assertThat(answers).containsExactlyInAnyOrder("CLAIMED", "IN_FLIGHT");
            assertThat(db.count("SELECT lease_generation FROM connections WHERE id = ?::uuid", id)).isEqualTo(before + 1);
            assertThat(db.count(urgentEvents, id)).as("one refresh announced").isEqualTo(1);

            // the refresher took the lease and is at the provider: forcing again changes nothing
            coordinator.takeLease(connection, before + 1).block();
            assertThat(forceRefresh(id)).isEqualTo("IN_FLIGHT");
            assertThat(db.count("SELECT lease_generation FROM connections WHERE id = ?::uuid", id)).isEqualTo(before + 1);
            assertThat(db.count(urgentEvents, id)).isEqualTo(1);
        } finally {
            infrastructure.kafka().start();
        }
    }

    private String forceRefresh(String connectionId) {
        return admin(TestApiKeys.ADMIN, HttpMethod.POST, "/internal/v1/admin/connections/" + connectionId + "/refresh")
                .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody().get("refresh").toString();
    }

    @Test
    void supportActionsGoThroughTheLifecycleUnderTheKeysName() {
        String id = (String) connect(api.as("user_support_actions", Map.of("email", "actions@example.com")), "NA").get("id");

        admin(TestApiKeys.ADMIN, HttpMethod.POST, "/internal/v1/admin/connections/" + id + "/reauthorization-required")
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("REAUTH_REQUIRED")
                .jsonPath("$.lastErrorCode").isEqualTo("reauthorization_requested");
        assertThat(db.string("SELECT actor_type || ':' || actor_id FROM audit_events WHERE user_id = 'user_support_actions' "
                + "AND action = 'connection.reauth_required'")).isEqualTo("SERVICE:support-console");
        assertThat(db.count("SELECT count(*) FROM notifications WHERE user_id = 'user_support_actions' "
                + "AND type = 'connection.reauth_required'")).as("the user is told").isEqualTo(1);
        admin(TestApiKeys.ADMIN, HttpMethod.POST, "/internal/v1/admin/connections/" + id + "/refresh").expectStatus().isOk()
                .expectBody().jsonPath("$.refresh").isEqualTo("NOT_REFRESHABLE");

        admin(TestApiKeys.ADMIN, HttpMethod.DELETE, "/internal/v1/admin/connections/" + id).expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("DISCONNECTED");
        assertThat(db.count("SELECT count(*) FROM connection_tokens WHERE connection_id = ?::uuid", id)).isZero();
        assertThat(db.string("SELECT actor_type || ':' || actor_id || ':' || (after->>'cause') FROM audit_events "
                + "WHERE user_id = 'user_support_actions' AND action = 'connection.disconnected'")).isEqualTo("SERVICE:support-console:support");

        String missing = java.util.UUID.randomUUID().toString();
        for (Object[] call : List.of(new Object[] {HttpMethod.GET, ""}, new Object[] {HttpMethod.POST, "/refresh"},
                new Object[] {HttpMethod.POST, "/reauthorization-required"}, new Object[] {HttpMethod.DELETE, ""})) {
            admin(TestApiKeys.ADMIN, (HttpMethod) call[0], "/internal/v1/admin/connections/" + missing + call[1])
                    .expectStatus().isNotFound().expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/not-found");
        }
        admin(TestApiKeys.ADMIN, HttpMethod.GET, "/internal/v1/admin/users").expectStatus().isBadRequest();
        admin(TestApiKeys.ADMIN, HttpMethod.GET, "/internal/v1/admin/connections?status=SLEEPY").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("status");
        admin(TestApiKeys.ADMIN, HttpMethod.GET, "/internal/v1/admin/connections?provider=yahoo").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("provider");
        admin(TestApiKeys.ADMIN, HttpMethod.GET, "/internal/v1/admin/audit-events?from=yesterday").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("from");
        admin(TestApiKeys.ADMIN, HttpMethod.GET, "/internal/v1/admin/audit-events/export?format=xlsx").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("format");
    }

    @Test
    void theAuditSearchPagesAndAHundredThousandRowExportIsReadAPageAtATimeAsTheReaderTakesIt() throws Exception {
        db.execute("""
                INSERT INTO audit_events (user_id, actor_type, actor_id, action, occurred_at, after)
                SELECT 'user_export_' || (n % 100), 'SYSTEM', 'bulk', 'export.test', now() - n * interval '1 second',
                       jsonb_build_object('n', n, 'note', '=HYPERLINK("x"), with "quotes"')
                  FROM generate_series(1, 100000) AS n""");
        admin(TestApiKeys.ADMIN_VIEWER, HttpMethod.GET, "/internal/v1/admin/audit-events?action=export.test&userId=user_export_7&limit=3")
                .expectStatus().isOk().expectBody()
                .jsonPath("$.items.length()").isEqualTo(3)
                .jsonPath("$.items[0].userId").isEqualTo("user_export_7")
                .jsonPath("$.items[0].after.n").isEqualTo(99907)
                .jsonPath("$.nextCursor").isNotEmpty();

        double pagesBefore = meters.counter("audit.export.pages").count();
        // read as a reader over HTTP/1.1 would: the JDK's client takes the body a buffer at a time as lines are consumed
        java.net.http.HttpResponse<java.util.stream.Stream<String>> export = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                                + "/internal/v1/admin/audit-events/export?format=jsonl&action=export.test"))
                        .header("X-Api-Key", TestApiKeys.ADMIN_VIEWER).build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(export.statusCode()).isEqualTo(200);
        double[] readWhileWaiting = new double[1];
        long total;
        try (java.util.stream.Stream<String> lines = export.body()) {
            java.util.Iterator<String> reader = lines.iterator();
            for (int i = 0; i < 10; i++) {
                assertThat(reader.next()).startsWith("{");
            }
            readWhileWaiting[0] = meters.counter("audit.export.pages").count() - pagesBefore;
            total = 10;
            while (reader.hasNext()) {
                assertThat(reader.next()).contains("\"action\":\"export.test\"");
                total++;
            }
        }
        assertThat(total).isEqualTo(100_000);
        assertThat(readWhileWaiting[0]).as("pages read while the reader waited after its first lines").isLessThan(100);
        assertThat(meters.counter("audit.export.pages").count() - pagesBefore).as("100 full pages and the empty one after").isEqualTo(101);

        List<String> csv = web.get().uri("/internal/v1/admin/audit-events/export?format=csv&action=export.test&userId=user_export_1")
                .header("X-Api-Key", TestApiKeys.ADMIN_VIEWER).exchange().expectStatus().isOk()
                .expectHeader().contentType("text/csv;charset=UTF-8")
                .returnResult(String.class).getResponseBody().collectList().block();
        assertThat(csv).hasSize(1 + 1000);
        assertThat(csv.getFirst()).isEqualTo("id,user_id,action,actor_type,actor_id,occurred_at,source_ip,user_agent,before,after");
        String after = "{\"n\":99901,\"note\":\"=HYPERLINK(\\\"x\\\"), with \\\"quotes\\\"\"}";
        assertThat(csv.get(1)).as("newest first, RFC 4180 quoting").contains(",user_export_1,export.test,SYSTEM,bulk,")
                .endsWith(",\"" + after.replace("\"", "\"\"") + "\"");
        // a value a spreadsheet would run as a formula is defused
        assertThat(AuditCsv.field("=cmd|' /C calc'!A0")).isEqualTo("\"'=cmd|' /C calc'!A0\"");
    }

    @Autowired
    UsageReports usage;

    @Autowired
    com.adsconnect.account.internal.TokenAccessAudit tokenAccess;

    @Test
    void theDailyReportCountsConnectionsRefreshesTokensServedAndActiveUsersAndTheGaugesFollow() {
        String id = (String) connect(api.as("user_usage_report"), "NA").get("id");
        long generation = refreshes.claim(id);
        coordinator.reportAll(List.of(RefreshReports.of(generation, id, Outcome.SUCCESS, null)), "token-refresher").block();
        new com.adsconnect.account.support.Internal(web)
                .token(TestApiKeys.READER, Map.of("userId", "user_usage_report", "connectionId", id)).expectStatus().isOk();
        tokenAccess.flush().block();
        usage.snapshot().block();

        long active = db.count("SELECT count(*) FROM connections WHERE status = 'ACTIVE' AND provider = 'AMAZON'");
        long refreshed = db.count("SELECT coalesce(sum(count), 0) FROM connection_history WHERE kind = 'REFRESHED' "
                + "AND day = (now() AT TIME ZONE 'UTC')::date");
        long users = db.count("SELECT count(DISTINCT user_id) FROM audit_events WHERE actor_type = 'USER' "
                + "AND occurred_at >= (now() AT TIME ZONE 'UTC')::date");
        String today = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
        admin(TestApiKeys.ADMIN_VIEWER, HttpMethod.GET, "/internal/v1/admin/reports/daily").expectStatus().isOk().expectBody()
                .jsonPath("$.days.length()").isEqualTo(7)
                .jsonPath("$.days[0].day").isEqualTo(today)
                .jsonPath("$.days[0].connections.ACTIVE.AMAZON").isEqualTo((int) active)
                .jsonPath("$.days[0].refreshes.REFRESHED").isEqualTo((int) refreshed)
                .jsonPath("$.days[0].tokensServed.reporting").isNumber()
                .jsonPath("$.days[0].activeUsers").isEqualTo((int) users)
                .jsonPath("$.days[1].connections").isEmpty();
        assertThat(meters.get("connections.current").tag("status", "ACTIVE").tag("provider", "AMAZON").gauge().value())
                .isEqualTo((double) active);
        admin(TestApiKeys.ADMIN_VIEWER, HttpMethod.GET, "/internal/v1/admin/reports/daily?from=2026-01-01&to=2026-12-01")
                .expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("from");
        admin(TestApiKeys.READER, HttpMethod.GET, "/internal/v1/admin/reports/daily").expectStatus().isForbidden();
    }

    private String state(String id) {
        return db.string("SELECT status || version || coalesce(lease_generation, 0) FROM connections WHERE id = ?::uuid", id)
                + db.count("SELECT count(*) FROM audit_events") + db.count("SELECT count(*) FROM notifications");
    }
}
