package com.adsconnect.account.internal;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.Internal;
import com.adsconnect.account.support.TestApiKeys;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The token access audit: every answer of the token API recorded off the request path, the owner's
 * and support's views of the reads, and back-pressure when the queue is full (a queue of 3 here,
 * written when the test says so).
 */
@AccountServiceTest
@TestPropertySource(properties = {"token-access-audit.capacity=3", "token-access-audit.flush-interval=1h"})
class TokenAccessAuditTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    TokenAccessAudit audit;

    Api api;
    Db db;
    Internal internal;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
        internal = new Internal(web);
        audit.flush().block();
    }

    @Test
    void everyAnswerIsRecordedAndTheOwnerSeesWhichServicesReadTheirTokens() {
        WebTestClient user = api.as("user_token_reads");
        String id = (String) connect(user, "NA").get("id");
        long before = db.count("SELECT count(*) FROM token_access_events");

        internal.token(TestApiKeys.READER, Map.of("userId", "user_token_reads", "connectionId", id)).expectStatus().isOk();
        internal.token(TestApiKeys.READER_ROTATED, Map.of("userId", "user_token_reads", "connectionId", id)).expectStatus().isOk();
        internal.token(TestApiKeys.READER, Map.of("userId", "user_token_reads", "connectionId", UUID.randomUUID().toString()))
                .expectStatus().isNotFound();
        assertThat(db.count("SELECT count(*) FROM token_access_events")).as("nothing written on the request path").isEqualTo(before);

        assertThat(audit.flush().block()).isEqualTo(3);
        assertThat(db.string("""
                SELECT string_agg(key_name || ':' || outcome || ':' || status || ':' || (connection_id = ?::uuid), ',' ORDER BY occurred_at)
                  FROM token_access_events WHERE user_id = 'user_token_reads'""", id))
                .isEqualTo("reporting:SERVED:200:true,reporting:SERVED:200:true,reporting:NOT_FOUND:404:false");

        String today = LocalDate.now(ZoneOffset.UTC).toString();
        user.get().uri("/api/v1/me/token-reads").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.reads.length()").isEqualTo(1)
                .jsonPath("$.reads[0].service").isEqualTo("reporting")
                .jsonPath("$.reads[0].day").isEqualTo(today)
                .jsonPath("$.reads[0].reads").isEqualTo(2);
        api.as("user_token_reads_other").get().uri("/api/v1/me/token-reads").exchange().expectBody()
                .jsonPath("$.reads.length()").isEqualTo(0);
        user.get().uri("/api/v1/me/token-reads?days=0").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("days");
        // across users: this class's other tests read with the same key today too
        long readsToday = db.count("SELECT sum(reads) FROM token_reads_daily WHERE key_name = 'reporting' AND day = ?::date", today);
        assertThat(readsToday).isGreaterThanOrEqualTo(2);
        web.get().uri("/internal/v1/admin/token-reads").header("X-Api-Key", TestApiKeys.ADMIN_VIEWER).exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.reads[?(@.service == 'reporting' && @.day == '" + today + "')].reads")
                .isEqualTo(java.util.List.of((int) readsToday));
        web.get().uri("/internal/v1/admin/token-reads").header("X-Api-Key", TestApiKeys.READER).exchange()
                .expectStatus().isForbidden();
    }

    @Test
    void aFullQueueRefusesTokenReadsWithRetryAfterInsteadOfServingThemUnrecorded() {
        String id = (String) connect(api.as("user_token_backlog"), "NA").get("id");
        Map<String, Object> body = Map.of("userId", "user_token_backlog", "connectionId", id);
        for (int i = 0; i < 3; i++) {
            internal.token(TestApiKeys.READER, body).expectStatus().isOk();
        }
        // the database has not been written to (no flush): the queue of 3 is full
        internal.token(TestApiKeys.READER, body).expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "3600")
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/service-unavailable")
                .jsonPath("$.accessToken").doesNotExist();

        assertThat(audit.flush().block()).isEqualTo(3);
        internal.token(TestApiKeys.READER, body).expectStatus().isOk();
        assertThat(audit.flush().block()).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM token_access_events WHERE user_id = 'user_token_backlog' AND outcome = 'SERVED'"))
                .as("every token served is recorded").isEqualTo(4);
        assertThat(db.count("SELECT reads FROM token_reads_daily WHERE user_id = 'user_token_backlog'")).isEqualTo(4);
    }

    @Test
    void aWriteThatFailsKeepsItsAnswersQueuedAndTheNextFlushWritesEveryOne() {
        String id = (String) connect(api.as("user_token_write_fails"), "NA").get("id");
        Map<String, Object> body = Map.of("userId", "user_token_write_fails", "connectionId", id);
        internal.token(TestApiKeys.READER, body).expectStatus().isOk();
        internal.token(TestApiKeys.READER, body).expectStatus().isOk();
        // the database refuses the write (here: the service's role may no longer insert the daily counts)
        db.execute("REVOKE INSERT ON token_reads_daily FROM ads_connect_app");
        try {
            assertThat(audit.flush().block()).as("nothing written").isZero();
            assertThat(db.count("SELECT count(*) FROM token_access_events WHERE user_id = 'user_token_write_fails'"))
                    .as("the events' insert rolled back with the counts'").isZero();
            internal.token(TestApiKeys.READER, body).expectStatus().isOk();
            // the two kept in the queue still count against it
            internal.token(TestApiKeys.READER, body).expectStatus().isEqualTo(503);
        } finally {
            db.execute("GRANT INSERT ON token_reads_daily TO ads_connect_app");
        }
        assertThat(audit.flush().block()).isEqualTo(3);
        assertThat(db.count("SELECT count(*) FROM token_access_events WHERE user_id = 'user_token_write_fails' AND outcome = 'SERVED'"))
                .as("every token served is recorded once").isEqualTo(3);
        assertThat(db.count("SELECT reads FROM token_reads_daily WHERE user_id = 'user_token_write_fails'")).isEqualTo(3);
    }
}
