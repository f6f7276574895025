package com.adsconnect.account.webhook;

import static com.adsconnect.account.support.TestWebhooks.newMessageId;
import static com.adsconnect.account.support.TestWebhooks.sign;
import static com.adsconnect.account.support.TestWebhooks.userDeleted;
import static com.adsconnect.account.support.TestWebhooks.userEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.TestWebhooks;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Webhook signatures here come from the official Svix library, never from the code under test. */
@AccountServiceTest
class ClerkWebhookTest {

    private static final String PROBLEM_TYPE = "https://docs.ads-connect.dev/problems/webhook-verification-failed";

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    TestWebhooks webhooks;
    Db db;
    long now = Instant.now().toEpochMilli();

    @BeforeEach
    void setUp() {
        webhooks = new TestWebhooks(web);
        db = new Db(infrastructure);
    }

    @Test
    void userCreatedStoresTheUserWithItsPrimaryEmail() {
        webhooks.deliver(newMessageId(), userEvent("user.created", "user_wh1", "ann@example.com", "Ann", now))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("applied");

        assertThat(db.string("SELECT email FROM users WHERE id = 'user_wh1'")).isEqualTo("ann@example.com");
        assertThat(db.string("SELECT first_name FROM users WHERE id = 'user_wh1'")).isEqualTo("Ann");
        assertThat(db.string("SELECT actor_type || ':' || action FROM audit_events WHERE user_id = 'user_wh1'"))
                .isEqualTo("WEBHOOK:user.created");
    }

    @Test
    void aReplayedDeliveryIsAcknowledgedButAppliedOnce() {
        String id = newMessageId();
        String body = userEvent("user.created", "user_wh_replay", "r@example.com", "Re", now);
        webhooks.deliver(id, body).expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("applied");
        String afterFirst = db.snapshot();

        webhooks.deliver(id, body).expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("duplicate");

        assertThat(db.snapshot()).isEqualTo(afterFirst);
    }

    @Test
    void forgedStaleOrUnsignedDeliveriesAreRefusedAndStoreNothing() {
        String body = userEvent("user.created", "user_wh_forged", "f@example.com", "Forged", now);
        String id = newMessageId();
        long ts = Instant.now().getEpochSecond();
        String before = db.snapshot();

        // body changed after signing
        refused(webhooks.deliver(id, String.valueOf(ts), sign(TestWebhooks.SECRET, id, ts, body),
                body.replace("f@example.com", "attacker@example.com")));
        // signed with another secret
        refused(webhooks.deliver(id, String.valueOf(ts), sign("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", id, ts, body), body));
        // signed for another message id
        refused(webhooks.deliver(id, String.valueOf(ts), sign(TestWebhooks.SECRET, "msg_other", ts, body), body));
        // older than the five-minute tolerance, and from the future
        long stale = ts - 6 * 60;
        refused(webhooks.deliver(id, String.valueOf(stale), sign(TestWebhooks.SECRET, id, stale, body), body));
        long future = ts + 6 * 60;
        refused(webhooks.deliver(id, String.valueOf(future), sign(TestWebhooks.SECRET, id, future, body), body));
        // missing headers, garbage signature, garbage timestamp
        refused(webhooks.deliver(null, String.valueOf(ts), sign(TestWebhooks.SECRET, id, ts, body), body));
        refused(webhooks.deliver(id, null, sign(TestWebhooks.SECRET, id, ts, body), body));
        refused(webhooks.deliver(id, String.valueOf(ts), null, body));
        refused(webhooks.deliver(id, String.valueOf(ts), "v1,bm90IGEgc2lnbmF0dXJl", body));
        refused(webhooks.deliver(id, "yesterday", sign(TestWebhooks.SECRET, id, ts, body), body));

        assertThat(db.snapshot()).isEqualTo(before);
    }

    @Test
    void oneValidSignatureAmongSeveralIsEnough() {
        String id = newMessageId();
        long ts = Instant.now().getEpochSecond();
        String body = userEvent("user.created", "user_wh_multi", "m@example.com", "Multi", now);
        String header = "v1,aW52YWxpZA== " + sign(TestWebhooks.SECRET, id, ts, body) + " v2,ignored";

        webhooks.deliver(id, String.valueOf(ts), header, body).expectStatus().isOk();
    }

    @Test
    void outOfOrderDeliveriesEndWithTheNewestData() {
        webhooks.deliver(newMessageId(), userEvent("user.updated", "user_wh_order", "new@example.com", "Newer", now))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("applied");
        webhooks.deliver(newMessageId(), userEvent("user.created", "user_wh_order", "old@example.com", "Older", now - 60_000))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("stale");
        webhooks.deliver(newMessageId(), userEvent("user.updated", "user_wh_order", "mid@example.com", "Mid", now - 1_000))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("stale");

        assertThat(db.string("SELECT email FROM users WHERE id = 'user_wh_order'")).isEqualTo("new@example.com");
        assertThat(db.string("SELECT first_name FROM users WHERE id = 'user_wh_order'")).isEqualTo("Newer");
    }

    @Test
    void webhookDataOverridesWhatJustInTimeProvisioningGuessed() {
        Api api = new Api(web, infrastructure.clerk());
        api.as("user_wh_jit").get().uri("/api/v1/me").exchange().expectStatus().isOk();

        webhooks.deliver(newMessageId(), userEvent("user.created", "user_wh_jit", "jit@example.com", "Jit", now))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("applied");

        api.as("user_wh_jit").get().uri("/api/v1/me").exchange().expectBody().jsonPath("$.email").isEqualTo("jit@example.com");
    }

    @Test
    void userDeletedSoftDeletesAndALateCreateDoesNotRevive() {
        Api api = new Api(web, infrastructure.clerk());
        webhooks.deliver(newMessageId(), userEvent("user.created", "user_wh_del", "d@example.com", "Del", now)).expectStatus().isOk();

        webhooks.deliver(newMessageId(), userDeleted("user_wh_del"))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("applied");
        webhooks.deliver(newMessageId(), userDeleted("user_wh_del"))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("stale");
        webhooks.deliver(newMessageId(), userEvent("user.updated", "user_wh_del", "back@example.com", "Back", now + 1_000))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("stale");

        api.as("user_wh_del").get().uri("/api/v1/me").exchange().expectStatus().isEqualTo(410);
        assertThat(db.string("SELECT email FROM users WHERE id = 'user_wh_del'")).isEqualTo("d@example.com");
    }

    @Test
    void aDeleteBeforeTheCreateLeavesATombstone() {
        webhooks.deliver(newMessageId(), userDeleted("user_wh_tomb")).expectStatus().isOk();
        webhooks.deliver(newMessageId(), userEvent("user.created", "user_wh_tomb", "t@example.com", "Tomb", now))
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("stale");

        assertThat(db.count("SELECT count(*) FROM users WHERE id = 'user_wh_tomb' AND deleted_at IS NOT NULL AND email IS NULL"))
                .isEqualTo(1);
    }

    @Test
    void unknownEventTypesAreAcknowledgedAndIgnored() {
        String before = db.snapshot();
        webhooks.deliver(newMessageId(), "{\"type\":\"session.created\",\"object\":\"event\",\"data\":{\"id\":\"sess_1\"}}")
                .expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("ignored");
        assertThat(db.count("SELECT count(*) FROM users")).isEqualTo(Long.parseLong(before.split(" ")[0].substring(6)));
    }

    @Test
    void validlySignedButMalformedPayloadsAreRefusedAndStoreNothing() {
        String before = db.snapshot();
        for (String body : new String[] {"not json", "[]", "{\"type\":\"user.created\"}",
                "{\"type\":\"user.created\",\"data\":{\"id\":\"../etc\",\"updated_at\":1}}",
                "{\"type\":\"user.updated\",\"data\":{\"id\":\"user_x\"}}"}) {
            webhooks.deliver(newMessageId(), body).expectStatus().isBadRequest()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/malformed-request");
        }
        assertThat(db.snapshot()).isEqualTo(before);
    }

    private static void refused(WebTestClient.ResponseSpec response) {
        response.expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo(PROBLEM_TYPE);
    }
}
