package com.adsconnect.account.notification;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.connection.ConnectionLifecycle;
import com.adsconnect.account.connection.ConnectionStore;
import com.adsconnect.account.refresh.RefreshCoordinator;
import com.adsconnect.account.refresh.RefreshCoordinator.Outcome;
import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.RefreshReports;
import com.adsconnect.devinfra.mail.SandboxMail;
import com.adsconnect.devinfra.postgres.HeldTransaction;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The delivery queue's interleavings, each made to happen: another replica claiming at the same
 * time, a sender killed after its claim or after the server took the message, a notification whose
 * transaction commits late or rolls back. Held transactions and direct calls; no sleeps.
 */
@AccountServiceTest
class DeliveryInterleavingsTest {

    /** The claim lock's key (DeliveryQueue.CLAIM_LOCK). */
    private static final long CLAIM_LOCK = 0x4e4f5449_00000001L;

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    RefreshCoordinator coordinator;

    @Autowired
    DeliveryWorker worker;

    @Autowired
    DeliveryQueue queue;

    @Autowired
    EmailChannel email;

    @Autowired
    Recipients recipients;

    @Autowired
    ConnectionLifecycle lifecycle;

    @Autowired
    ConnectionStore connections;

    @Autowired
    TransactionalOperator transaction;

    @Autowired
    NotificationProperties properties;

    Api api;
    Db db;
    RefreshReports refreshes;
    SandboxMail mail;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
        refreshes = new RefreshReports(db, coordinator);
        mail = infrastructure.mail();
        mail.restore();
        mail.reset();
        db.execute("UPDATE notification_deliveries SET state = 'SKIPPED' WHERE state = 'PENDING'");
    }

    @Test
    void whileAnotherReplicaClaimsThisOneSkipsTheRoundAndNothingIsSplitOrSentTwice() {
        String id = reauthRequired("user_two_replicas");
        try (HeldTransaction otherReplica = db.hold()) {
            otherReplica.execute("SELECT pg_advisory_xact_lock(?)", CLAIM_LOCK);
            StepVerifier.create(queue.claim(50, Duration.ZERO, properties.deliveryLease()))
                    .assertNext(batches -> assertThat(batches).as("the round is skipped, not waited for").isEmpty())
                    .verifyComplete();
            worker.deliverDue().block();
            assertThat(mail.receivedFor("user_two_replicas@example.com")).isEmpty();
            assertThat(db.string("SELECT state || ':' || attempts FROM notification_deliveries WHERE user_id = 'user_two_replicas'"))
                    .isEqualTo("PENDING:0");
        }
        worker.deliverDue().block();
        assertThat(mail.receivedFor("user_two_replicas@example.com")).hasSize(1);
        assertThat(id).isNotNull();
    }

    @Test
    void aSenderKilledAfterItsClaimLeavesALeaseThatRunsOutAndTheSameMessageGoesOutOnce() throws Exception {
        reauthRequired("user_killed_sender");
        // a replica claims and dies before sending
        List<DeliveryQueue.Batch> claimed = queue.claim(50, Duration.ZERO, properties.deliveryLease()).block();
        assertThat(claimed).hasSize(1);
        UUID batch = claimed.getFirst().id();
        worker.deliverDue().block();
        assertThat(mail.receivedFor("user_killed_sender@example.com")).as("its lease still runs").isEmpty();

        db.execute("UPDATE notification_deliveries SET lease_expires_at = now() - interval '1 second' WHERE batch_id = ?::uuid",
                batch.toString());
        worker.deliverDue().block();
        worker.deliverDue().block();

        List<MimeMessage> received = mail.receivedFor("user_killed_sender@example.com");
        assertThat(received).hasSize(1);
        assertThat(received.getFirst().getMessageID()).isEqualTo(email.messageIdOf(batch));
        assertThat(db.string("SELECT state || ':' || attempts FROM notification_deliveries WHERE user_id = 'user_killed_sender'"))
                .isEqualTo("SENT:2");
    }

    @Test
    void aSenderKilledAfterTheServerTookTheMessageSendsItAgainWithTheSameMessageId() throws Exception {
        reauthRequired("user_lost_report");
        DeliveryQueue.Batch batch = queue.claim(50, Duration.ZERO, properties.deliveryLease()).block().getFirst();
        Recipient recipient = recipients.find("user_lost_report").block();
        // the server accepts the message; the process dies before the row is marked sent
        email.sendAlerts(batch, recipient, queue.alerts(batch.id()).block()).block();
        db.execute("UPDATE notification_deliveries SET lease_expires_at = now() - interval '1 second' WHERE batch_id = ?::uuid",
                batch.id().toString());

        worker.deliverDue().block();

        List<MimeMessage> received = mail.receivedFor("user_lost_report@example.com");
        assertThat(received).as("at least once: the copy is the same message, which mail clients show once").hasSize(2);
        assertThat(received.get(0).getMessageID()).isEqualTo(received.get(1).getMessageID()).isEqualTo(email.messageIdOf(batch.id()));
        assertThat(db.string("SELECT state FROM notification_deliveries WHERE user_id = 'user_lost_report'")).isEqualTo("SENT");
    }

    @Test
    void aNotificationWhoseTransactionCommitsLateIsSentOnlyOnceItHasCommitted() throws Exception {
        WebTestClient user = signedIn("user_late_commit");
        connect(user, "NA");
        long notification;
        try (HeldTransaction late = db.hold()) {
            notification = Long.parseLong(late.text("""
                    INSERT INTO notifications (user_id, type, dedup_key, title, body, link, in_app)
                    VALUES ('user_late_commit', 'connection.recovered', 'late', 'Amazon Ads is working again', 'b', '/integrations', true)
                    RETURNING id"""));
            late.execute("INSERT INTO notification_deliveries (user_id, channel, kind, notification_id) VALUES (?, 'EMAIL', 'ALERT', ?)",
                    "user_late_commit", notification);
            worker.deliverDue().block();
            assertThat(mail.receivedFor("user_late_commit@example.com")).as("not committed: not there").isEmpty();
            late.commit();
        }
        worker.deliverDue().block();
        assertThat(mail.receivedFor("user_late_commit@example.com")).hasSize(1);
        assertThat(notification).isPositive();
    }

    @Test
    void aTransitionThatRollsBackLeavesNoNotificationAndNoDelivery() {
        WebTestClient user = signedIn("user_rolled_back");
        String id = (String) connect(user, "NA").get("id");
        var connection = connections.findForUser("user_rolled_back", UUID.fromString(id)).block();
        String before = db.string("SELECT status FROM connections WHERE id = ?::uuid", id);

        StepVerifier.create(transaction.transactional(lifecycle.reauthRequired(connection, "invalid_grant", 1, Actor.system("test"))
                        .then(Mono.error(new IllegalStateException("the rest of the transaction failed")))))
                .verifyErrorMessage("the rest of the transaction failed");

        assertThat(db.string("SELECT status FROM connections WHERE id = ?::uuid", id)).isEqualTo(before);
        assertThat(db.count("SELECT count(*) FROM notifications WHERE user_id = 'user_rolled_back'")).isZero();
        assertThat(db.count("SELECT count(*) FROM notification_deliveries WHERE user_id = 'user_rolled_back'")).isZero();
        assertThat(db.count("SELECT count(*) FROM connection_history WHERE connection_id = ?::uuid AND kind = 'REAUTH_REQUIRED'", id))
                .isZero();
    }

    private WebTestClient signedIn(String userId) {
        WebTestClient user = api.as(userId, Map.of("email", userId + "@example.com"));
        user.get().uri("/api/v1/me").exchange().expectStatus().isOk();
        return user;
    }

    /** A connection of a new user that Amazon just refused: one notification, one email queued. */
    private String reauthRequired(String userId) {
        String id = (String) connect(signedIn(userId), "NA").get("id");
        refreshes.report(id, Outcome.PERMANENT_FAILURE, "invalid_grant");
        assertThat(db.count("SELECT count(*) FROM notification_deliveries WHERE user_id = ? AND state = 'PENDING'", userId)).isEqualTo(1);
        return id;
    }
}
