package com.adsconnect.account.preferences;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

@AccountServiceTest
class PreferencesApiTest {

    private static final MediaType MERGE_PATCH = MediaType.parseMediaType("application/merge-patch+json");

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    Api api;
    Db db;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
    }

    @Test
    void aNewUserSeesEveryDefault() {
        api.as("user_defaults").get().uri("/api/v1/me/preferences").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.schemaVersion").isEqualTo(2)
                .jsonPath("$.revision").isEqualTo(0)
                .jsonPath("$.preferences.theme").isEqualTo("SYSTEM")
                .jsonPath("$.preferences.locale").isEqualTo("en-US")
                .jsonPath("$.preferences.timeZone").isEqualTo("UTC")
                .jsonPath("$.preferences.notifications.channels.email").isEqualTo(true)
                .jsonPath("$.preferences.assistant.tone").isEqualTo("BALANCED")
                .jsonPath("$.preferences.dashboard.metrics.length()").isEqualTo(4);
    }

    @Test
    void nestedObjectsMergeArraysReplaceAndNullResetsToTheDefault() {
        WebTestClient user = api.as("user_merge");
        patch(user, """
                {"theme":"DARK","notifications":{"channels":{"slack":true}},"dashboard":{"metrics":["SPEND","CLICKS"]}}""")
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.revision").isEqualTo(1)
                .jsonPath("$.preferences.theme").isEqualTo("DARK")
                .jsonPath("$.preferences.notifications.channels.slack").isEqualTo(true)
                .jsonPath("$.preferences.notifications.channels.email").isEqualTo(true)
                .jsonPath("$.preferences.notifications.weeklyReport").isEqualTo(true)
                .jsonPath("$.preferences.dashboard.metrics.length()").isEqualTo(2)
                .jsonPath("$.preferences.dashboard.currency").isEqualTo("USD");

        patch(user, "{\"dashboard\":{\"metrics\":[\"ROAS\"]},\"timeZone\":\"Europe/Berlin\"}")
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.preferences.dashboard.metrics.length()").isEqualTo(1)
                .jsonPath("$.preferences.dashboard.metrics[0]").isEqualTo("ROAS")
                .jsonPath("$.preferences.theme").isEqualTo("DARK");

        patch(user, "{\"theme\":null,\"notifications\":{\"channels\":null}}")
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.revision").isEqualTo(3)
                .jsonPath("$.preferences.theme").isEqualTo("SYSTEM")
                .jsonPath("$.preferences.notifications.channels.slack").isEqualTo(false)
                .jsonPath("$.preferences.timeZone").isEqualTo("Europe/Berlin");

        user.get().uri("/api/v1/me/preferences").exchange().expectBody()
                .jsonPath("$.revision").isEqualTo(3)
                .jsonPath("$.preferences.timeZone").isEqualTo("Europe/Berlin");
    }

    @Test
    void invalidValuesAndUnknownFieldsAnswer400NamingTheFieldAndChangeNothing() {
        WebTestClient user = api.as("user_invalid_prefs");
        patch(user, "{\"theme\":\"LIGHT\"}").expectStatus().isOk();
        String before = db.snapshot();

        expectFieldError(user, "{\"notifications\":{\"channels\":{\"pager\":true}}}", "notifications.channels.pager");
        expectFieldError(user, "{\"typo\":null}", "typo");
        expectFieldError(user, "{\"theme\":\"PURPLE\"}", "theme");
        expectFieldError(user, "{\"theme\":1}", "theme");
        expectFieldError(user, "{\"timeZone\":\"Mars/Olympus\"}", "timeZone");
        expectFieldError(user, "{\"timeZone\":\"+02:00\"}", "timeZone");
        expectFieldError(user, "{\"locale\":\"not a locale!\"}", "locale");
        expectFieldError(user, "{\"notifications\":{\"weeklyReport\":\"yes\"}}", "notifications.weeklyReport");
        expectFieldError(user, "{\"notifications\":{\"weeklyReport\":\"true\"}}", "notifications.weeklyReport");
        expectFieldError(user, "{\"dashboard\":{\"currency\":\"usd\"}}", "dashboard.currency");
        expectFieldError(user, "{\"dashboard\":{\"metrics\":[]}}", "dashboard.metrics");
        expectFieldError(user, "{\"dashboard\":{\"metrics\":[\"SPEND\",\"MAGIC\"]}}", "dashboard.metrics[1]");
        expectFieldError(user, "{\"dashboard\":{\"defaultProfileId\":\"abc\"}}", "dashboard.defaultProfileId");
        patch(user, "\"DARK\"").expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/malformed-request");

        assertThat(db.snapshot()).isEqualTo(before);
        user.get().uri("/api/v1/me/preferences").exchange().expectBody()
                .jsonPath("$.revision").isEqualTo(1).jsonPath("$.preferences.theme").isEqualTo("LIGHT");
    }

    @Test
    void resetHistoryAndRollback() {
        WebTestClient user = api.as("user_history");
        patch(user, "{\"theme\":\"DARK\"}").expectStatus().isOk();
        patch(user, "{\"locale\":\"de-DE\"}").expectStatus().isOk();
        user.post().uri("/api/v1/me/preferences/reset").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.revision").isEqualTo(3).jsonPath("$.preferences.theme").isEqualTo("SYSTEM");

        user.get().uri("/api/v1/me/preferences/history?limit=2").exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items.length()").isEqualTo(2)
                .jsonPath("$.items[0].revision").isEqualTo(3)
                .jsonPath("$.items[0].change").isEqualTo("RESET")
                .jsonPath("$.items[1].revision").isEqualTo(2)
                .jsonPath("$.items[1].preferences.locale").isEqualTo("de-DE")
                .jsonPath("$.nextCursor").isEqualTo("2");
        user.get().uri("/api/v1/me/preferences/history?limit=2&cursor=2").exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.items.length()").isEqualTo(1)
                .jsonPath("$.items[0].revision").isEqualTo(1)
                .jsonPath("$.nextCursor").doesNotExist();

        user.post().uri("/api/v1/me/preferences/history/2/restore").exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.revision").isEqualTo(4)
                .jsonPath("$.preferences.theme").isEqualTo("DARK")
                .jsonPath("$.preferences.locale").isEqualTo("de-DE");
        assertThat(db.string("SELECT change FROM user_preference_history WHERE user_id = 'user_history' AND revision = 4"))
                .isEqualTo("ROLLBACK");
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_history' AND action LIKE 'preferences.%'"))
                .isEqualTo(4);

        user.post().uri("/api/v1/me/preferences/history/99/restore").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/not-found");
        user.get().uri("/api/v1/me/preferences/history?cursor=abc").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("cursor");
        user.get().uri("/api/v1/me/preferences/history?limit=0").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("limit");
    }

    @Test
    void anotherUsersRevisionCannotBeRestored() {
        patch(api.as("user_owner"), "{\"theme\":\"DARK\"}").expectStatus().isOk();

        api.as("user_intruder").post().uri("/api/v1/me/preferences/history/1/restore").exchange().expectStatus().isNotFound();
        api.as("user_intruder").get().uri("/api/v1/me/preferences/history").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.items.length()").isEqualTo(0);
    }

    @Test
    void aVersion1DocumentIsMigratedWhenRead() {
        api.as("user_v1").get().uri("/api/v1/me").exchange().expectStatus().isOk();
        db.execute("""
                INSERT INTO user_preferences (user_id, schema_version, document, revision, updated_at)
                VALUES ('user_v1', 1, '{"darkMode": true, "locale": "fr-FR", "emailNotifications": false}'::jsonb, 1, now())""");

        api.as("user_v1").get().uri("/api/v1/me/preferences").exchange().expectStatus().isOk()
                .expectBody()
                .jsonPath("$.schemaVersion").isEqualTo(2)
                .jsonPath("$.preferences.theme").isEqualTo("DARK")
                .jsonPath("$.preferences.locale").isEqualTo("fr-FR")
                .jsonPath("$.preferences.notifications.channels.email").isEqualTo(false)
                .jsonPath("$.preferences.notifications.channels.inApp").isEqualTo(true);

        patch(api.as("user_v1"), "{\"timeZone\":\"Asia/Tokyo\"}").expectStatus().isOk();
        assertThat(db.count("SELECT schema_version FROM user_preferences WHERE user_id = 'user_v1'")).isEqualTo(2);
    }

    private static WebTestClient.ResponseSpec patch(WebTestClient user, String body) {
        return user.patch().uri("/api/v1/me/preferences").contentType(MERGE_PATCH).bodyValue(body).exchange();
    }

    private static void expectFieldError(WebTestClient user, String body, String field) {
        patch(user, body)
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/validation-failed")
                .jsonPath("$.errors[0].field").isEqualTo(field);
    }
}
