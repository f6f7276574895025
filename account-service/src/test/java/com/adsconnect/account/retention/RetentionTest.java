package com.adsconnect.account.retention;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.user.UserPurge;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.connection.ConnectionHistory;
import com.adsconnect.account.notification.Notifications;
import com.adsconnect.account.support.MovableClock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.test.StepVerifier;

@AccountServiceTest
class RetentionTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    UserPurge userPurge;

    @Autowired
    RetentionJob retentionJob;

    @Test
    void oldAuditEventsWebhookIdsHistoryAndNotificationsAreDeletedAndRecentOnesKept() {
        Db db = new Db(infrastructure);
        db.execute("INSERT INTO audit_events (user_id, actor_type, action, occurred_at) VALUES ('user_old', 'SYSTEM', 'x', now() - interval '401 days')");
        db.execute("INSERT INTO audit_events (user_id, actor_type, action, occurred_at) VALUES ('user_old', 'SYSTEM', 'y', now() - interval '399 days')");
        db.execute("INSERT INTO processed_webhooks (svix_id, event_type, received_at) VALUES ('msg_old', 'user.created', now() - interval '31 days')");
        db.execute("INSERT INTO processed_webhooks (svix_id, event_type, received_at) VALUES ('msg_new', 'user.created', now() - interval '29 days')");

        db.execute("INSERT INTO users (id) VALUES ('user_old_history')");
        db.execute("INSERT INTO connections (id, user_id, provider, region, account_key, status) "
                + "VALUES ('00000000-0000-4000-8000-0000000a9ed0', 'user_old_history', 'AMAZON', 'NA', 'AOLD', 'ACTIVE')");
        db.execute("INSERT INTO connection_history (connection_id, user_id, kind, status, day, occurred_at) VALUES "
                + "('00000000-0000-4000-8000-0000000a9ed0', 'user_old_history', 'REFRESHED', 'ACTIVE', "
                + "(now() - interval '91 days')::date, now() - interval '91 days'), "
                + "('00000000-0000-4000-8000-0000000a9ed0', 'user_old_history', 'RECOVERED', 'ACTIVE', "
                + "(now() - interval '89 days')::date, now() - interval '89 days')");
        db.execute("INSERT INTO notifications (user_id, type, dedup_key, title, body, link, in_app, created_at) VALUES "
                + "('user_old_history', 'connection.recovered', 'old', 't', 'b', '/integrations', true, now() - interval '181 days'), "
                + "('user_old_history', 'connection.recovered', 'new', 't', 'b', '/integrations', true, now() - interval '179 days')");

        StepVerifier.create(retentionJob.run()).verifyComplete();

        assertThat(db.string("SELECT string_agg(kind, ',') FROM connection_history WHERE user_id = 'user_old_history'"))
                .as("retention.connection-history: 90d").isEqualTo("RECOVERED");
        assertThat(db.string("SELECT string_agg(dedup_key, ',') FROM notifications WHERE user_id = 'user_old_history'"))
                .as("retention.notifications: 180d").isEqualTo("new");
        assertThat(db.string("SELECT string_agg(action, ',') FROM audit_events WHERE user_id = 'user_old'")).isEqualTo("y");
        assertThat(db.string("SELECT string_agg(svix_id, ',') FROM processed_webhooks WHERE svix_id LIKE 'msg_%'")).isEqualTo("msg_new");
    }

    @Autowired
    RetentionProperties retention;

    @Autowired
    AuditLog auditLog;

    @Autowired
    DatabaseClient databaseClient;

    @Autowired
    ConnectionHistory connectionHistory;

    @Autowired
    Notifications notifications;

    @Autowired
    com.adsconnect.account.internal.TokenAccessAudit tokenAccess;

    /** Spring builds a Mono-returning @Scheduled method's publisher once and subscribes to it on every run. */
    @Test
    void eachRunOfTheSamePublisherComputesItsCutOffsAnew() {
        Db db = new Db(infrastructure);
        db.execute("INSERT INTO audit_events (user_id, actor_type, action, occurred_at) VALUES ('user_clock', 'SYSTEM', 'a', now() - interval '399 days')");
        db.execute("INSERT INTO processed_webhooks (svix_id, event_type, received_at) VALUES ('msg_clock', 'user.created', now() - interval '29 days')");
        MovableClock clock = new MovableClock();
        Mono<Void> scheduled = new RetentionJob(retention, userPurge, auditLog, connectionHistory, notifications, tokenAccess, databaseClient, clock).run();

        StepVerifier.create(scheduled).verifyComplete();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_clock'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM processed_webhooks WHERE svix_id = 'msg_clock'")).isEqualTo(1);

        clock.advance(Duration.ofDays(2));
        StepVerifier.create(scheduled).verifyComplete();

        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_clock'")).as("400 days old by now").isZero();
        assertThat(db.count("SELECT count(*) FROM processed_webhooks WHERE svix_id = 'msg_clock'")).as("31 days old by now").isZero();
    }

    @Test
    void aDeletedUsersPersonalDataIsErasedOnlyAfterTheRetentionPeriod() {
        Api api = new Api(web, infrastructure.clerk());
        Db db = new Db(infrastructure);
        WebTestClient gone = api.as("user_purge", java.util.Map.of("email", "purge@example.com"));
        gone.patch().uri("/api/v1/me/preferences").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"theme\":\"DARK\"}")
                .exchange().expectStatus().isOk();
        gone.delete().uri("/api/v1/me").exchange().expectStatus().isNoContent();
        api.as("user_keep", java.util.Map.of("email", "keep@example.com")).get().uri("/api/v1/me").exchange().expectStatus().isOk();

        StepVerifier.create(userPurge.purgeDeletedBefore(Instant.now().minusSeconds(3600))).expectNext(0L).verifyComplete();
        assertThat(db.string("SELECT email FROM users WHERE id = 'user_purge'")).isEqualTo("purge@example.com");

        StepVerifier.create(userPurge.purgeDeletedBefore(Instant.now().plusSeconds(1))).expectNext(1L).verifyComplete();

        assertThat(db.count("SELECT count(*) FROM users WHERE id = 'user_purge' AND email IS NULL AND purged_at IS NOT NULL")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM user_preferences WHERE user_id = 'user_purge'")).isZero();
        assertThat(db.count("SELECT count(*) FROM user_preference_history WHERE user_id = 'user_purge'")).isZero();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_purge' AND (before IS NOT NULL OR after IS NOT NULL)")).isZero();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_purge' AND action = 'user.purged'")).isEqualTo(1);
        assertThat(db.string("SELECT email FROM users WHERE id = 'user_keep'")).isEqualTo("keep@example.com");

        StepVerifier.create(userPurge.purgeDeletedBefore(Instant.now().plusSeconds(1))).expectNext(0L).verifyComplete();
    }
}
