package com.adsconnect.account.notification;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.refresh.RefreshCoordinator;
import com.adsconnect.account.refresh.RefreshCoordinator.Outcome;
import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.connection.RefreshTokenExpiryWarnings;
import com.adsconnect.account.support.Integrations;
import com.adsconnect.account.support.RefreshReports;
import com.adsconnect.devinfra.amazon.SandboxAmazonAccount;
import com.adsconnect.devinfra.mail.SandboxMail;
import com.adsconnect.devinfra.slack.SandboxSlack;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.UUID;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Notifications against the real SMTP server (GreenMail behind a proxy that can cut it off) and
 * the sandbox Slack: created with the transition they announce, sent once, batched per user, held
 * through an outage, never sent against the user's preferences.
 */
@AccountServiceTest
class NotificationsTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    RefreshCoordinator coordinator;

    @Autowired
    DeliveryWorker worker;

    @Autowired
    WeeklyReportJob weeklyReports;

    @Autowired
    RefreshTokenExpiryWarnings expiryWarnings;

    Api api;
    Db db;
    RefreshReports refreshes;
    SandboxMail mail;
    SandboxSlack slack;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
        refreshes = new RefreshReports(db, coordinator);
        mail = infrastructure.mail();
        mail.restore();
        mail.reset();
        slack = infrastructure.slack();
        slack.reset();
        infrastructure.amazon().reset();
        // what earlier tests of the class left queued is not this test's to send
        db.execute("UPDATE notification_deliveries SET state = 'SKIPPED' WHERE state = 'PENDING'");
    }

    @AfterEach
    void tearDown() {
        mail.restore();
        infrastructure.amazon().reset();
    }

    @Test
    void anInvalidGrantIsExactlyOneEmailAndOneInAppNotification() throws Exception {
        WebTestClient user = signedIn("user_alert_once", "alert.once@example.com");
        String id = (String) connect(user, "NA").get("id");

        refreshes.report(id, Outcome.PERMANENT_FAILURE, "invalid_grant");

        user.get().uri("/api/v1/me/notifications").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.items.length()").isEqualTo(1)
                .jsonPath("$.items[0].type").isEqualTo("connection.reauth_required")
                .jsonPath("$.items[0].title").isEqualTo("Amazon Ads needs to be reconnected")
                .jsonPath("$.items[0].body").value(body -> assertThat((String) body).contains("invalid_grant"))
                .jsonPath("$.items[0].link").isEqualTo("/integrations/" + id + "?action=reconnect")
                .jsonPath("$.items[0].connectionId").isEqualTo(id)
                .jsonPath("$.items[0].readAt").doesNotExist()
                .jsonPath("$.nextCursor").doesNotExist();
        user.get().uri("/api/v1/me").exchange().expectBody().jsonPath("$.unreadNotifications").isEqualTo(1);

        worker.deliverDue().block();
        worker.deliverDue().block();

        List<MimeMessage> received = mail.receivedFor("alert.once@example.com");
        assertThat(received).hasSize(1);
        MimeMessage message = received.getFirst();
        String batch = db.string("SELECT batch_id::text FROM notification_deliveries WHERE user_id = 'user_alert_once'");
        assertThat(message.getSubject()).isEqualTo("Amazon Ads needs to be reconnected");
        assertThat(message.getMessageID()).isEqualTo("<" + batch + "@ads-connect.dev>");
        assertThat(message.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(message.getHeader("List-Unsubscribe")[0]).startsWith("<http://localhost:8080/api/v1/notifications/unsubscribe?token=");
        assertThat(SandboxMail.part(message, "text/plain")).contains("http://localhost:3000/integrations/" + id + "?action=reconnect");
        // (the HTML escapes "=" in attribute values as &#x3D;, which browsers read back as "=")
        assertThat(SandboxMail.part(message, "text/html").replace("&#x3D;", "="))
                .contains("href=\"http://localhost:3000/integrations/" + id + "?action=reconnect\"");
        assertThat(db.string("SELECT string_agg(channel || ':' || state || ':' || attempts, ',') FROM notification_deliveries "
                + "WHERE user_id = 'user_alert_once'")).isEqualTo("EMAIL:SENT:1");
        // the same failure reported again (a late duplicate) announces nothing new
        assertThat(db.count("SELECT count(*) FROM notifications WHERE user_id = 'user_alert_once'")).isEqualTo(1);
    }

    @Test
    void anSmtpOutageDelaysMessagesAndLosesNoneAndSendsEachOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            WebTestClient user = signedIn("user_outage_" + i, "outage" + i + "@example.com");
            ids.add((String) connect(user, "NA").get("id"));
        }
        mail.cut();
        ids.forEach(id -> refreshes.report(id, Outcome.PERMANENT_FAILURE, "invalid_grant"));

        worker.deliverDue().block();
        assertThat(mail.received()).isEmpty();
        assertThat(db.string("""
                SELECT string_agg(DISTINCT state || ':' || attempts || ':' || last_error, ',') FROM notification_deliveries
                 WHERE user_id LIKE 'user_outage_%'""")).isEqualTo("PENDING:1:smtp_unavailable");
        String batches = batchesOf("user_outage_%");
        assertThat(db.count("SELECT count(*) FROM notification_deliveries WHERE user_id LIKE 'user_outage_%' AND next_attempt_at > now()"))
                .as("each waits out its backoff").isEqualTo(3);

        // the backoff passes, the server is still down: a second attempt, the same batches
        dueNow("user_outage_%");
        worker.deliverDue().block();
        assertThat(mail.received()).isEmpty();
        assertThat(db.string("SELECT string_agg(DISTINCT state || ':' || attempts, ',') FROM notification_deliveries "
                + "WHERE user_id LIKE 'user_outage_%'")).isEqualTo("PENDING:2");

        mail.restore();
        dueNow("user_outage_%");
        worker.deliverDue().block();
        worker.deliverDue().block();

        for (int i = 0; i < 3; i++) {
            List<MimeMessage> received = mail.receivedFor("outage" + i + "@example.com");
            assertThat(received).as("user %d", i).hasSize(1);
            assertThat(batches).contains(received.getFirst().getMessageID().replaceAll("[<>]|@ads-connect\\.dev", ""));
        }
        assertThat(batchesOf("user_outage_%")).as("a retry is the same message").isEqualTo(batches);
        assertThat(db.string("SELECT string_agg(DISTINCT state, ',') FROM notification_deliveries WHERE user_id LIKE 'user_outage_%'"))
                .isEqualTo("SENT");
    }

    @Test
    void aBurstOfTwentyFailingConnectionsIsOneEmailAndOneSlackPost() throws Exception {
        WebTestClient user = signedIn("user_burst", "burst@example.com");
        String hook = slack.newHook();
        user.put().uri("/api/v1/me/preferences/slack-webhook").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("url", hook)).exchange().expectStatus().isOk();
        patchPreferences(user, "{\"notifications\": {\"channels\": {\"slack\": true}}}");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            infrastructure.amazon().grantNext("NA", new SandboxAmazonAccount("ABURST" + i, "Burst " + i, "seller",
                    List.of(new SandboxAmazonAccount.Profile(6_000_000_000_000_000L + i, "US", "USD", "America/New_York", "ATVPDKIKX0DER"))));
            ids.add((String) connect(user, "NA").get("id"));
        }
        assertThat(ids).doesNotHaveDuplicates();

        // the refresher reports them together, as it does when a provider turns them all down at once
        List<RefreshCoordinator.Report> reports = ids.stream()
                .map(id -> RefreshReports.of(refreshes.claim(id), id, Outcome.PERMANENT_FAILURE, "invalid_grant")).toList();
        coordinator.reportAll(reports, "token-refresher").block();
        assertThat(db.count("SELECT count(*) FROM notifications WHERE user_id = 'user_burst'")).isEqualTo(20);

        worker.deliverDue().block();

        List<MimeMessage> received = mail.receivedFor("burst@example.com");
        assertThat(received).hasSize(1);
        assertThat(received.getFirst().getSubject()).isEqualTo("20 updates about your advertising connections");
        String text = SandboxMail.part(received.getFirst(), "text/plain");
        ids.forEach(id -> assertThat(text).contains("/integrations/" + id + "?action=reconnect"));
        List<String> posts = slack.postsTo(hook);
        assertThat(posts).hasSize(1);
        assertThat(posts.getFirst()).contains("20 updates about your advertising connections").contains("Amazon Ads needs to be reconnected");
        assertThat(slack.all()).as("Slack is called on the hook's path and nowhere else").hasSize(1);
    }

    @Test
    void preferencesOffMeansNothingIsSent() throws Exception {
        // connection alerts off: no notification at all
        WebTestClient quiet = signedIn("user_quiet", "quiet@example.com");
        String quietId = (String) connect(quiet, "NA").get("id");
        patchPreferences(quiet, "{\"notifications\": {\"connectionAlerts\": false}}");
        refreshes.report(quietId, Outcome.PERMANENT_FAILURE, "invalid_grant");
        assertThat(db.count("SELECT count(*) FROM notifications WHERE user_id = 'user_quiet'")).isZero();
        assertThat(db.count("SELECT count(*) FROM notification_deliveries WHERE user_id = 'user_quiet'")).isZero();

        // email off, in-app on: listed in the app, no email
        WebTestClient inAppOnly = signedIn("user_in_app_only", "inapp@example.com");
        String inAppId = (String) connect(inAppOnly, "NA").get("id");
        patchPreferences(inAppOnly, "{\"notifications\": {\"channels\": {\"email\": false}}}");
        refreshes.report(inAppId, Outcome.PERMANENT_FAILURE, "invalid_grant");
        inAppOnly.get().uri("/api/v1/me/notifications").exchange().expectBody().jsonPath("$.items.length()").isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM notification_deliveries WHERE user_id = 'user_in_app_only'")).isZero();

        // in-app off: not listed
        WebTestClient emailOnly = signedIn("user_email_only", "emailonly@example.com");
        String emailOnlyId = (String) connect(emailOnly, "NA").get("id");
        patchPreferences(emailOnly, "{\"notifications\": {\"channels\": {\"inApp\": false}}}");
        refreshes.report(emailOnlyId, Outcome.PERMANENT_FAILURE, "invalid_grant");
        emailOnly.get().uri("/api/v1/me/notifications").exchange().expectBody().jsonPath("$.items.length()").isEqualTo(0);
        emailOnly.get().uri("/api/v1/me").exchange().expectBody().jsonPath("$.unreadNotifications").isEqualTo(0);

        // email turned off after the alert was queued, before it went out: skipped
        WebTestClient changedMind = signedIn("user_changed_mind", "changed@example.com");
        String changedId = (String) connect(changedMind, "NA").get("id");
        refreshes.report(changedId, Outcome.PERMANENT_FAILURE, "invalid_grant");
        patchPreferences(changedMind, "{\"notifications\": {\"channels\": {\"email\": false}}}");

        worker.deliverDue().block();

        assertThat(mail.receivedFor("quiet@example.com")).isEmpty();
        assertThat(mail.receivedFor("inapp@example.com")).isEmpty();
        assertThat(mail.receivedFor("changed@example.com")).isEmpty();
        assertThat(mail.receivedFor("emailonly@example.com")).hasSize(1);
        assertThat(db.string("SELECT state || ':' || last_error FROM notification_deliveries WHERE user_id = 'user_changed_mind'"))
                .isEqualTo("SKIPPED:turned_off");
    }

    @Test
    void aFailingSpellIsAnnouncedOnceAfterItsThresholdAndItsEndToo() {
        WebTestClient user = signedIn("user_spell", "spell@example.com");
        String id = (String) connect(user, "NA").get("id");

        refreshes.report(id, Outcome.TRANSIENT_FAILURE, "server_error");
        assertThat(db.count("SELECT count(*) FROM notifications WHERE user_id = 'user_spell'"))
                .as("not on the first transient failure").isZero();

        // the spell has lasted longer than notifications.failing-alert-after (1h)
        db.execute("UPDATE connections SET failing_since = now() - interval '2 hours' WHERE id = ?::uuid", id);
        refreshes.report(id, Outcome.TRANSIENT_FAILURE, "server_error");
        refreshes.report(id, Outcome.TRANSIENT_FAILURE, "temporarily_unavailable");
        assertThat(db.string("SELECT string_agg(type, ',') FROM notifications WHERE user_id = 'user_spell'"))
                .isEqualTo("connection.refresh_failing");

        refreshes.report(id, Outcome.SUCCESS, null);
        assertThat(db.string("SELECT string_agg(type, ',' ORDER BY id) FROM notifications WHERE user_id = 'user_spell'"))
                .isEqualTo("connection.refresh_failing,connection.recovered");

        // a short spell (under the threshold) comes and goes without a word
        refreshes.report(id, Outcome.TRANSIENT_FAILURE, "server_error");
        refreshes.report(id, Outcome.SUCCESS, null);
        assertThat(db.count("SELECT count(*) FROM notifications WHERE user_id = 'user_spell'")).isEqualTo(2);
        assertThat(db.string("SELECT string_agg(kind, ',' ORDER BY id) FROM connection_history WHERE connection_id = ?::uuid", id))
                .isEqualTo("CONNECTED,REFRESH_FAILED,REFRESH_FAILED,REFRESH_FAILED,RECOVERED,REFRESH_FAILED,RECOVERED");
    }

    @Test
    void inAppNotificationsArePagedMarkedReadAndAnotherUsersAre404() {
        WebTestClient owner = signedIn("user_inbox", "inbox@example.com");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            infrastructure.amazon().grantNext("NA", new SandboxAmazonAccount("AINBOX" + i, "Inbox " + i, "seller",
                    List.of(new SandboxAmazonAccount.Profile(7_000_000_000_000_000L + i, "US", "USD", "America/New_York", "ATVPDKIKX0DER"))));
            String id = (String) connect(owner, "NA").get("id");
            ids.add(id);
            refreshes.report(id, Outcome.PERMANENT_FAILURE, "invalid_grant");
        }
        Map<?, ?> first = owner.get().uri("/api/v1/me/notifications?limit=2").exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        List<?> items = (List<?>) first.get("items");
        assertThat(items).hasSize(2);
        assertThat(((Map<?, ?>) items.get(0)).get("connectionId")).isEqualTo(ids.get(2));
        String newest = (String) ((Map<?, ?>) items.get(0)).get("id");
        owner.get().uri("/api/v1/me/notifications?limit=2&cursor=" + first.get("nextCursor")).exchange().expectBody()
                .jsonPath("$.items.length()").isEqualTo(1).jsonPath("$.items[0].connectionId").isEqualTo(ids.get(0))
                .jsonPath("$.nextCursor").doesNotExist();

        WebTestClient intruder = signedIn("user_inbox_intruder", "intruder@example.com");
        String before = db.string("SELECT string_agg(id || ':' || coalesce(read_at::text, '-'), ',') FROM notifications");
        intruder.post().uri("/api/v1/me/notifications/" + newest + "/read").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/not-found");
        intruder.post().uri("/api/v1/me/notifications/read").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.marked").isEqualTo(0);
        intruder.get().uri("/api/v1/me/notifications").exchange().expectBody().jsonPath("$.items.length()").isEqualTo(0);
        assertThat(db.string("SELECT string_agg(id || ':' || coalesce(read_at::text, '-'), ',') FROM notifications")).isEqualTo(before);

        owner.post().uri("/api/v1/me/notifications/" + newest + "/read").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.readAt").isNotEmpty();
        owner.get().uri("/api/v1/me/notifications?unread=true").exchange().expectBody().jsonPath("$.items.length()").isEqualTo(2);
        owner.get().uri("/api/v1/me").exchange().expectBody().jsonPath("$.unreadNotifications").isEqualTo(2);
        owner.post().uri("/api/v1/me/notifications/read").exchange().expectBody().jsonPath("$.marked").isEqualTo(2);
        owner.get().uri("/api/v1/me").exchange().expectBody().jsonPath("$.unreadNotifications").isEqualTo(0);

        // bad inputs: exact errors, nothing changed
        String read = db.string("SELECT string_agg(id || ':' || read_at::text, ',') FROM notifications WHERE user_id = 'user_inbox'");
        owner.post().uri("/api/v1/me/notifications/not-a-number/read").exchange().expectStatus().isNotFound();
        owner.get().uri("/api/v1/me/notifications?cursor=bm90LWEtY3Vyc29y").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("cursor");
        owner.get().uri("/api/v1/me/notifications?limit=0").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("limit");
        assertThat(db.string("SELECT string_agg(id || ':' || read_at::text, ',') FROM notifications WHERE user_id = 'user_inbox'"))
                .isEqualTo(read);
    }

    @Test
    void theUnsubscribeLinkTurnsOffItsKindOfEmailWithoutSigningInAndAForgedOneNothing() throws Exception {
        WebTestClient user = signedIn("user_unsubscribe", "unsubscribe@example.com");
        String id = (String) connect(user, "NA").get("id");
        refreshes.report(id, Outcome.PERMANENT_FAILURE, "invalid_grant");
        worker.deliverDue().block();
        MimeMessage message = mail.receivedFor("unsubscribe@example.com").getFirst();
        URI link = URI.create(message.getHeader("List-Unsubscribe")[0].replaceAll("[<>]", ""));

        String token = link.getQuery().substring("token=".length());
        String forged = token.substring(0, token.length() - 1) + (token.endsWith("A") ? "B" : "A");
        String otherUser = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("CONNECTION_ALERTS:user_someone_else".getBytes()) + token.substring(token.indexOf('.'));
        String before = db.snapshot();
        api.anonymous().post().uri(link.getPath() + "?token=" + otherUser).exchange().expectStatus().isBadRequest();
        api.anonymous().post().uri(link.getPath() + "?token=" + forged)
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).bodyValue("List-Unsubscribe=One-Click")
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("token");
        api.anonymous().post().uri(link.getPath()).exchange().expectStatus().isBadRequest();
        assertThat(db.snapshot()).isEqualTo(before);

        // the mail client's one-click POST (RFC 8058)
        api.anonymous().post().uri(link.getPath() + "?" + link.getRawQuery())
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).bodyValue("List-Unsubscribe=One-Click")
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.turnedOff").isEqualTo("notifications.connectionAlerts");
        user.get().uri("/api/v1/me/preferences").exchange().expectBody()
                .jsonPath("$.preferences.notifications.connectionAlerts").isEqualTo(false)
                .jsonPath("$.preferences.notifications.weeklyReport").isEqualTo(true);
        assertThat(db.string("SELECT action FROM audit_events WHERE user_id = 'user_unsubscribe' ORDER BY id DESC LIMIT 1"))
                .isEqualTo("preferences.unsubscribed");
    }

    @Test
    void theUsersLanguageAndTimeZoneShapeTheNotificationAndItsEmail() throws Exception {
        WebTestClient user = signedIn("user_deutsch", "deutsch@example.com");
        String id = (String) connect(user, "NA").get("id");
        patchPreferences(user, "{\"locale\": \"de-DE\", \"timeZone\": \"Europe/Berlin\"}");
        refreshes.report(id, Outcome.PERMANENT_FAILURE, "invalid_grant");

        user.get().uri("/api/v1/me/notifications").exchange().expectBody()
                .jsonPath("$.items[0].title").isEqualTo("Amazon Ads muss neu verbunden werden");
        worker.deliverDue().block();
        MimeMessage message = mail.receivedFor("deutsch@example.com").getFirst();
        assertThat(message.getSubject()).isEqualTo("Amazon Ads muss neu verbunden werden");
        String text = SandboxMail.part(message, "text/plain");
        assertThat(text).contains("Hallo,").contains("Neu verbinden").contains("Verbindungswarnungen abschalten");
        String created = db.string("SELECT to_char(created_at AT TIME ZONE 'Europe/Berlin', 'HH24:MI') FROM notifications "
                + "WHERE user_id = 'user_deutsch'");
        assertThat(text).as("the time in the user's time zone").contains(created);
        assertThat(SandboxMail.part(message, "text/html")).contains("<html lang=\"de\">");
    }

    @Test
    void slackGetsAlertsOnlyAtSlacksHostAndAnythingElseIsRefused() {
        WebTestClient user = signedIn("user_slack", "slack@example.com");
        user.get().uri("/api/v1/me/preferences/slack-webhook").exchange().expectBody().jsonPath("$.configured").isEqualTo(false);
        String hook = slack.newHook();
        String secret = hook.substring(hook.lastIndexOf('/') + 1);
        List<String> refused = List.of(
                "https://evil.example/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
                "http://hooks.slack.com" + URI.create(hook).getPath(),
                "https://hooks.slack.com.evil.example" + URI.create(hook).getPath(),
                "https://user@hooks.slack.com" + URI.create(hook).getPath(),
                "https://hooks.slack.com:8443" + URI.create(hook).getPath(),
                "https://HOOKS.SLACK.COM" + URI.create(hook).getPath(),
                "https://hooks.slack.com./" + URI.create(hook).getPath().substring(1),
                hook + "?redirect=https://evil.example",
                hook + "#fragment",
                "https://hooks.slack.com/services/../../api/chat.postMessage",
                "https://hooks.slack.com/api/chat.postMessage",
                "https://169.254.169.254/latest/meta-data/",
                "https://127.0.0.1/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
                "hooks.slack.com" + URI.create(hook).getPath(),
                "");
        String before = db.snapshot() + db.count("SELECT count(*) FROM slack_webhooks");
        for (String url : refused) {
            user.put().uri("/api/v1/me/preferences/slack-webhook").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("url", url)).exchange().expectStatus().isBadRequest().expectBody()
                    .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/validation-failed")
                    .jsonPath("$.errors[0].field").isEqualTo("url")
                    .consumeWith(result -> assertThat(new String(result.getResponseBody())).as(url).doesNotContain(secret));
        }
        user.put().uri("/api/v1/me/preferences/slack-webhook").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}").exchange().expectStatus().isBadRequest();
        assertThat(db.snapshot() + db.count("SELECT count(*) FROM slack_webhooks")).isEqualTo(before);

        user.put().uri("/api/v1/me/preferences/slack-webhook").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("url", hook)).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.configured").isEqualTo(true)
                .jsonPath("$.workspace").isEqualTo(hook.split("/")[4])
                .consumeWith(result -> assertThat(new String(result.getResponseBody())).doesNotContain(secret));
        assertThat(db.count("SELECT count(*) FROM slack_webhooks WHERE user_id = 'user_slack' "
                + "AND position(convert_to(?, 'UTF8') in url_ciphertext) = 0", secret)).as("stored encrypted").isEqualTo(1);
        patchPreferences(user, "{\"notifications\": {\"channels\": {\"slack\": true, \"email\": false}}}");

        String id = (String) connect(user, "NA").get("id");
        refreshes.report(id, Outcome.PERMANENT_FAILURE, "invalid_grant");
        worker.deliverDue().block();

        assertThat(slack.postsTo(hook)).hasSize(1);
        assertThat(slack.postsTo(hook).getFirst()).contains("Amazon Ads needs to be reconnected")
                .contains("http://localhost:3000/integrations/" + id + "?action=reconnect");
        assertThat(slack.all()).hasSize(1);

        // a removed hook (Slack answers 404 no_service) is given up at once; a 500 is retried
        slack.failHook(hook, 404, "no_service");
        db.execute("UPDATE connections SET status = 'ACTIVE' WHERE id = ?::uuid", id);
        refreshes.report(id, Outcome.PERMANENT_FAILURE, "invalid_grant");
        worker.deliverDue().block();
        assertThat(db.string("SELECT state || ':' || last_error FROM notification_deliveries WHERE user_id = 'user_slack' "
                + "ORDER BY id DESC LIMIT 1")).isEqualTo("FAILED:slack_404");

        user.delete().uri("/api/v1/me/preferences/slack-webhook").exchange().expectStatus().isNoContent();
        user.get().uri("/api/v1/me/preferences/slack-webhook").exchange().expectBody().jsonPath("$.configured").isEqualTo(false);
    }

    @Test
    void theWeeklyReportIsQueuedOncePerWeekFromItsHourInTheUsersTimeZone() throws Exception {
        WebTestClient user = signedIn("user_weekly", "weekly@example.com");
        connect(user, "NA");
        patchPreferences(user, "{\"timeZone\": \"America/New_York\"}");
        WebTestClient off = signedIn("user_weekly_off", "weeklyoff@example.com");
        patchPreferences(off, "{\"notifications\": {\"weeklyReport\": false}}");

        // next Monday in New York, 07:59: not yet; 08:00: due, reporting on this week (which holds the connection)
        ZoneId newYork = ZoneId.of("America/New_York");
        LocalDate monday = LocalDate.now(newYork).with(TemporalAdjusters.next(DayOfWeek.MONDAY));
        Instant before = monday.atTime(7, 59).atZone(newYork).toInstant();
        Instant at = monday.atTime(8, 0).atZone(newYork).toInstant();
        String week = monday.minusWeeks(1).toString();
        weeklyReports.queueDue(before).block();
        assertThat(queuedReports()).doesNotContain("user_weekly:");
        // now (this week's hour has passed): last week is not reported to someone who signed up this week
        weeklyReports.queueDue(Instant.now()).block();
        assertThat(queuedReports()).doesNotContain("user_weekly:");
        weeklyReports.queueDue(at).block();
        // a second replica, and a later run of the same week, queue nothing more
        weeklyReports.queueDue(at).block();
        weeklyReports.queueDue(at.plus(Duration.ofDays(3))).block();
        assertThat(queuedReports()).contains("user_weekly:" + week).doesNotContain("user_weekly_off:");
        assertThat(db.count("SELECT count(*) FROM notification_deliveries WHERE user_id = 'user_weekly'")).isEqualTo(1);
        // other tests' users were due too (UTC, the default time zone): not this test's business
        db.execute("DELETE FROM notification_deliveries WHERE kind = 'WEEKLY_REPORT' AND user_id <> 'user_weekly'");

        worker.deliverDue().block();
        List<MimeMessage> received = mail.receivedFor("weekly@example.com");
        assertThat(received).hasSize(1);
        assertThat(received.getFirst().getSubject()).isEqualTo("Your weekly connection report: 1 healthy, 0 need attention");
        assertThat(SandboxMail.part(received.getFirst(), "text/plain")).contains("Amazon Ads: Healthy")
                .contains("Turn off the weekly report");
        assertThat(mail.receivedFor("weeklyoff@example.com")).isEmpty();

        // the next week is another report
        weeklyReports.queueDue(at.plus(Duration.ofDays(7))).block();
        assertThat(queuedReports()).contains("user_weekly:" + monday);
    }

    @Test
    void aGrantThatEndsIsAnnouncedAWeekAheadOncePerEndDate() throws Exception {
        WebTestClient user = signedIn("user_grant_ends", "grantends@example.com");
        infrastructure.google().grantAccessUntil(Instant.now().plus(Duration.ofDays(20)));
        String id;
        try {
            id = (String) Integrations.connect(user, "google").get("id");
        } finally {
            infrastructure.google().reset();
        }
        String endsAt = db.string("SELECT refresh_token_expires_at::text FROM connections WHERE id = ?::uuid", id);
        assertThat(endsAt).as("Google's refresh_token_expires_in is kept").isNotNull();
        user.get().uri("/api/v1/integrations/" + id).exchange().expectBody()
                .jsonPath("$.health.refreshTokenExpiresAt").isNotEmpty()
                .jsonPath("$.health.warning").doesNotExist();

        // the grant ends in 20 days: nothing now, nothing 13 days before, announced from 7 days before, once
        assertThat(expiryWarnings.warnDue(Instant.now()).block()).isZero();
        assertThat(expiryWarnings.warnDue(Instant.now().plus(Duration.ofDays(7))).block()).isZero();
        expiryWarnings.warnDue(Instant.now().plus(Duration.ofDays(14))).block();
        expiryWarnings.warnDue(Instant.now().plus(Duration.ofDays(15))).block();
        assertThat(db.string("SELECT string_agg(type || ':' || link, ',') FROM notifications WHERE user_id = 'user_grant_ends'"))
                .isEqualTo("connection.refresh_token_expiring:/integrations/" + id + "?action=reconnect");
        String title = db.string("SELECT title FROM notifications WHERE user_id = 'user_grant_ends'");
        String day = DateTimeFormatter.ofLocalizedDate(FormatStyle.LONG).withLocale(Locale.US)
                .format(LocalDate.now(ZoneOffset.UTC).plusDays(20));
        assertThat(title).isIn("Access to Google Ads ends on " + day, "Access to Google Ads ends on "
                + DateTimeFormatter.ofLocalizedDate(FormatStyle.LONG).withLocale(Locale.US).format(LocalDate.now(ZoneOffset.UTC).plusDays(19)));

        // a refresh that reports a later end (the user extended the access) moves it: a new end is announced anew
        String before = db.string("SELECT refresh_token_expires_at::text FROM connections WHERE id = ?::uuid", id);
        long generation = refreshes.claim(id);
        coordinator.report(new RefreshCoordinator.Report(UUID.fromString(id), generation, Outcome.SUCCESS, "ya29.fresh", 3600L, null,
                null, null, Duration.ofDays(40).toSeconds()), "token-refresher").block();
        assertThat(db.string("SELECT refresh_token_expires_at::text FROM connections WHERE id = ?::uuid", id)).isNotEqualTo(before);
        assertThat(db.count("SELECT count(*) FROM connections WHERE id = ?::uuid "
                + "AND refresh_token_expires_at BETWEEN now() + interval '39 days' AND now() + interval '41 days'", id)).isEqualTo(1);
        // a refresh that says nothing of it keeps what was known
        long next = refreshes.claim(id);
        coordinator.reportAll(List.of(RefreshReports.of(next, id, Outcome.SUCCESS, null)), "token-refresher").block();
        assertThat(db.count("SELECT count(*) FROM connections WHERE id = ?::uuid "
                + "AND refresh_token_expires_at BETWEEN now() + interval '39 days' AND now() + interval '41 days'", id)).isEqualTo(1);
        // an implausible lifetime is refused, nothing changed
        long third = refreshes.claim(id);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> coordinator.report(new RefreshCoordinator.Report(UUID.fromString(id), third,
                Outcome.SUCCESS, "ya29.x", 3600L, null, null, null, -5L), "token-refresher").block())
                .hasMessageContaining("refreshTokenExpiresInSeconds");
    }

    private String queuedReports() {
        String queued = db.string("SELECT string_agg(user_id || ':' || report_week, ',' ORDER BY report_week) "
                + "FROM notification_deliveries WHERE kind = 'WEEKLY_REPORT'");
        return queued == null ? "" : queued;
    }

    private WebTestClient signedIn(String userId, String email) {
        WebTestClient user = api.as(userId, Map.of("email", email));
        user.get().uri("/api/v1/me").exchange().expectStatus().isOk();
        return user;
    }

    private void patchPreferences(WebTestClient user, String patch) {
        user.patch().uri("/api/v1/me/preferences").contentType(MediaType.valueOf("application/merge-patch+json"))
                .bodyValue(patch).exchange().expectStatus().isOk();
    }

    private String batchesOf(String userLike) {
        return db.string("SELECT string_agg(DISTINCT batch_id::text, ',') FROM notification_deliveries WHERE user_id LIKE ?", userLike);
    }

    private void dueNow(String userLike) {
        db.execute("UPDATE notification_deliveries SET next_attempt_at = now() WHERE user_id LIKE ?", userLike);
    }
}
