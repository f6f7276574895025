package com.adsconnect.account.dashboard;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.refresh.RefreshCoordinator;
import com.adsconnect.account.refresh.RefreshCoordinator.Outcome;
import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.RefreshReports;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The front end's one-request first screen, and a connection's refresh and status timeline. */
@AccountServiceTest
class DashboardAndHistoryTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    RefreshCoordinator coordinator;

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

    @Test
    void theDashboardIsTheProfilePreferencesConnectionsUnreadNotificationsAndLatestAuditEventsInOneCall() {
        WebTestClient user = api.as("user_dashboard", Map.of("email", "dashboard@example.com"));
        String id = (String) connect(user, "NA").get("id");
        user.patch().uri("/api/v1/me/preferences").contentType(MediaType.valueOf("application/merge-patch+json"))
                .bodyValue("{\"theme\": \"DARK\"}").exchange().expectStatus().isOk();
        refreshes.report(id, Outcome.PERMANENT_FAILURE, "invalid_grant");

        user.get().uri("/api/v1/me/dashboard").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.profile.id").isEqualTo("user_dashboard")
                .jsonPath("$.profile.email").isEqualTo("dashboard@example.com")
                .jsonPath("$.profile.unreadNotifications").isEqualTo(1)
                .jsonPath("$.profile.connections.REAUTH_REQUIRED").isEqualTo(1)
                .jsonPath("$.preferences.preferences.theme").isEqualTo("DARK")
                .jsonPath("$.connections.length()").isEqualTo(1)
                .jsonPath("$.connections[0].id").isEqualTo(id)
                .jsonPath("$.connections[0].health.warning").isNotEmpty()
                .jsonPath("$.connections[0].profiles").isNotEmpty()
                .jsonPath("$.notifications.length()").isEqualTo(1)
                .jsonPath("$.notifications[0].type").isEqualTo("connection.reauth_required")
                .jsonPath("$.auditEvents[0].action").isEqualTo("connection.reauth_required")
                .jsonPath("$.auditEvents[1].action").isEqualTo("preferences.updated")
                .jsonPath("$.auditEvents[2].action").isEqualTo("connection.connected");

        // another user's dashboard shows nothing of it
        api.as("user_dashboard_other").get().uri("/api/v1/me/dashboard").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.connections.length()").isEqualTo(0)
                .jsonPath("$.notifications.length()").isEqualTo(0)
                .jsonPath("$.profile.unreadNotifications").isEqualTo(0);
        api.anonymous().get().uri("/api/v1/me/dashboard").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void theHistoryHoldsEveryRefreshAndTransitionNewestFirstPagedAndOnlyForTheOwner() {
        WebTestClient user = api.as("user_history");
        String id = (String) connect(user, "NA").get("id");
        // two routine refreshes (the batch path), a failure, a recovery
        for (int i = 0; i < 2; i++) {
            long generation = refreshes.claim(id);
            coordinator.reportAll(List.of(RefreshReports.of(generation, id, Outcome.SUCCESS, null)), "token-refresher").block();
        }
        refreshes.report(id, Outcome.TRANSIENT_FAILURE, "server_error");
        refreshes.report(id, Outcome.SUCCESS, null);

        Map<?, ?> page = user.get().uri("/api/v1/me/connections/" + id + "/history?limit=3").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        List<?> items = (List<?>) page.get("items");
        assertThat(items.stream().map(item -> (Object) ((Map<?, ?>) item).get("kind")).toList()).containsExactly("RECOVERED", "REFRESH_FAILED", "REFRESHED");
        Map<?, ?> failed = (Map<?, ?>) items.get(1);
        assertThat(failed.get("status")).isEqualTo("REFRESH_FAILING");
        assertThat(failed.get("errorCode")).isEqualTo("server_error");
        assertThat(failed.get("actor")).isEqualTo("system:token-refresher");
        assertThat(failed.get("occurredAt")).isNotNull();
        Map<?, ?> refreshed = (Map<?, ?>) items.get(2);
        assertThat(refreshed.get("count")).as("the day's routine refreshes are one entry").isEqualTo(2);
        assertThat(refreshed.get("status")).isEqualTo("ACTIVE");
        assertThat(failed.get("count")).isEqualTo(1);
        user.get().uri("/api/v1/me/connections/" + id + "/history?limit=3&cursor=" + page.get("nextCursor")).exchange()
                .expectBody()
                .jsonPath("$.items[0].kind").isEqualTo("CONNECTED")
                .jsonPath("$.items[0].actor").isEqualTo("user")
                .jsonPath("$.items.length()").isEqualTo(1)
                .jsonPath("$.nextCursor").doesNotExist();
        // another routine refresh the same day counts into the day's entry
        long generation = refreshes.claim(id);
        coordinator.reportAll(List.of(RefreshReports.of(generation, id, Outcome.SUCCESS, null)), "token-refresher").block();
        assertThat(db.count("SELECT count FROM connection_history WHERE connection_id = ?::uuid AND kind = 'REFRESHED'", id))
                .isEqualTo(3);

        user.delete().uri("/api/v1/integrations/" + id).exchange().expectStatus().isOk();
        user.get().uri("/api/v1/me/connections/" + id + "/history?limit=1").exchange().expectBody()
                .jsonPath("$.items[0].kind").isEqualTo("DISCONNECTED").jsonPath("$.items[0].status").isEqualTo("DISCONNECTED");

        // another user's connection, a made-up one, a bad cursor
        api.as("user_history_intruder").get().uri("/api/v1/me/connections/" + id + "/history").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/not-found");
        user.get().uri("/api/v1/me/connections/" + UUID.randomUUID() + "/history").exchange().expectStatus().isNotFound();
        user.get().uri("/api/v1/me/connections/" + id + "/history?cursor=aDpub3QtYS1kYXkvMQ").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("cursor");
        user.get().uri("/api/v1/me/connections/" + id + "/history?limit=201").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("limit");
    }

}
