package com.adsconnect.account.tracing;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.internal.TokenAccessAudit;
import com.adsconnect.account.outbox.OutboxRelay;
import com.adsconnect.account.refresh.RefreshCoordinator;
import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.EventsOnKafka;
import com.adsconnect.account.support.EventsOnKafka.Event;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.support.ScheduledTaskObservationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * An event's trace crosses the outbox: the W3C context of the work that wrote it is stored with
 * the row and, whenever the relay gets to publish it, travels in the record's {@code traceparent}
 * header as the context of a producer span in that trace. The refresher continues it from there.
 */
@AccountServiceTest
class OutboxTraceContextTest {

    private static final String TOKEN_EXPIRING = "amazon.token-expiring";
    private static final String TRACEPARENT = "00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]";

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    RefreshCoordinator coordinator;

    @Autowired
    Environment environment;

    @Autowired
    ObservationRegistry observations;

    @AfterEach
    void brokerBack() {
        infrastructure.kafka().start();
    }

    @Test
    void aRefreshAskedForInATraceIsPublishedInThatTraceEvenAfterKafkaWasAwayForAWhile() {
        Api api = new Api(web, infrastructure.clerk());
        Db db = new Db(infrastructure);
        WebTestClient user = api.as("user_traced_refresh");
        String id = (String) connect(user, "NA").get("id");
        String traceId = "5af7651916cd43dd8448eb211c80319c";
        String callerSpan = "b7ad6b7169203331";
        infrastructure.kafka().stop();

        user.put().uri("/api/v1/integrations/" + id + "/refresh")
                .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01")
                .exchange()
                .expectStatus().isAccepted()
                .expectBody().jsonPath("$.refresh").isEqualTo("CLAIMED");

        // the row waits for Kafka with the context of the request that wrote it
        String stored = db.string("SELECT trace_parent FROM outbox_events WHERE event_key = ? AND event_type LIKE '%token.expiring%'", id);
        assertThat(stored).matches(TRACEPARENT).startsWith("00-" + traceId + "-").endsWith("-01").doesNotContain(callerSpan);

        infrastructure.kafka().start();
        Event event = urgentEventOf(id);

        String header = event.headers().get("traceparent");
        assertThat(header).matches(TRACEPARENT).startsWith("00-" + traceId + "-").endsWith("-01");
        // the producer span's context: a child of what was stored, not the stored span itself
        assertThat(spanOf(header)).isNotEqualTo(spanOf(stored)).isNotEqualTo(callerSpan);
    }

    @Test
    void aCallerThatDoesNotSampleIsHonouredDownstream() {
        Api api = new Api(web, infrastructure.clerk());
        WebTestClient user = api.as("user_unsampled_refresh");
        String id = (String) connect(user, "NA").get("id");
        String traceId = "6af7651916cd43dd8448eb211c80319c";

        user.put().uri("/api/v1/integrations/" + id + "/refresh")
                .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-00")
                .exchange()
                .expectStatus().isAccepted();

        assertThat(urgentEventOf(id).headers().get("traceparent")).startsWith("00-" + traceId + "-").endsWith("-00");
    }

    @Test
    void anEventWrittenOutsideAnyTraceStartsItsOwn() {
        Api api = new Api(web, infrastructure.clerk());
        String id = (String) connect(api.as("user_untraced_claim"), "NA").get("id");

        // called here, not in a request or a scheduled run: no trace is current, the relay's producer span starts one
        assertThat(coordinator.claimUrgent(java.util.UUID.fromString(id)).block().result())
                .isEqualTo(RefreshCoordinator.UrgentClaim.Result.CLAIMED);

        assertThat(urgentEventOf(id).headers().get("traceparent")).matches(TRACEPARENT);
    }

    @Test
    void theRelayAndTheAuditFlushRunTooOftenToStartTracesTheRefreshSchedulerStartsOne() throws Exception {
        // the scheduler's own registry decides per run, with the predicates of this application
        assertThat(scheduledRun(OutboxRelay.class).isNoop()).isTrue();
        assertThat(scheduledRun(TokenAccessAudit.class).isNoop()).isTrue();
        // its claims' events continue the run's trace
        assertThat(scheduledRun(Class.forName("com.adsconnect.account.refresh.RefreshScheduler")).isNoop()).isFalse();
    }

    private Observation scheduledRun(Class<?> job) throws NoSuchMethodException {
        ScheduledTaskObservationContext context = new ScheduledTaskObservationContext(job, job.getDeclaredMethod("run"));
        return Observation.createNotStarted("tasks.scheduled.execution", () -> context, observations);
    }

    private Event urgentEventOf(String connectionId) {
        List<Event> events;
        try (EventsOnKafka kafka = new EventsOnKafka(environment.getProperty("kafka.bootstrap-servers"), Set.of(TOKEN_EXPIRING))) {
            events = kafka.readUntil(Set.of(connectionId), found -> found.stream().anyMatch(OutboxTraceContextTest::urgent),
                    Duration.ofSeconds(60));
        }
        return events.stream().filter(OutboxTraceContextTest::urgent).findFirst().orElseThrow();
    }

    private static boolean urgent(Event event) {
        return event.value().contains("\"reason\":\"URGENT\"") || event.value().contains("\"reason\": \"URGENT\"");
    }

    private static String spanOf(String traceparent) {
        return traceparent.split("-")[2];
    }
}
