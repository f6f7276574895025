package com.adsconnect.refresher.refresh;

import static com.adsconnect.testsupport.Infrastructure.AMAZON;
import static com.adsconnect.testsupport.Infrastructure.CLERK;
import static com.adsconnect.testsupport.Infrastructure.GOOGLE;
import static com.adsconnect.testsupport.Infrastructure.MICROSOFT;
import static com.adsconnect.testsupport.Infrastructure.KAFKA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.devinfra.amazon.SandboxAmazon.Endpoint;
import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.google.SandboxGoogle;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoft;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.devinfra.net.TcpProxy;
import com.adsconnect.testsupport.AccountServiceProcess;
import com.adsconnect.testsupport.RealInfrastructure;
import com.adsconnect.testsupport.TestInfrastructure;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole refresh path with real parts: account-service (packaged jar, real PostgreSQL) claims
 * and publishes through its outbox to a real Kafka broker; this refresher consumes, leases,
 * refreshes at the sandbox Amazon (WireMock, with injected faults) and reports back.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(AmazonTokenClientAccess.class)
@RealInfrastructure({KAFKA, CLERK, AMAZON, GOOGLE, MICROSOFT})
class RefreshPipelineTest {

    private static AccountServiceProcess accountService;
    /** Between this refresher and account-service, to take account-service away from it alone. */
    private static TcpProxy toAccountService;

    @DynamicPropertySource
    static void wiring(DynamicPropertyRegistry registry) throws Exception {
        accountService = new AccountServiceProcess();
        URI url = URI.create(accountService.url());
        toAccountService = TcpProxy.start(url.getHost(), url.getPort());
        SandboxAmazon amazon = TestInfrastructure.amazon();
        registry.add("account-service.url", () -> "http://" + toAccountService.host() + ":" + toAccountService.port());
        registry.add("account-service.api-key", () -> AccountServiceProcess.REFRESHER_KEY);
        registry.add("amazon.client-id", () -> SandboxAmazon.CLIENT_ID);
        registry.add("amazon.client-secret", () -> SandboxAmazon.CLIENT_SECRET);
        amazon.regionProperties().forEach((key, value) -> {
            if (key.endsWith("token-url")) {
                registry.add(key, () -> value);
            }
        });
        registry.add("refresher.token-expiring-topic", () -> accountService.tokenExpiringTopic);
        registry.add("refresher.retry-topic", () -> accountService.tokenExpiringTopic + ".retry");
        registry.add("refresher.dead-letter-topic", () -> accountService.tokenExpiringTopic + ".dlt");
        registry.add("refresher.group-id", () -> "refresher-test-" + UUID.randomUUID());
        registry.add("refresher.retry-delay", () -> "1s");
        registry.add("amazon.time-limit", () -> "1s");
        registry.add("refresher.report-retry-max-backoff", () -> "2s");
        registry.add("amazon.retry.initial-backoff", () -> "100ms");
        registry.add("amazon.retry.max-backoff", () -> "1s");
        registry.add("amazon.circuit-breaker.sliding-window-size", () -> "10");
        registry.add("amazon.circuit-breaker.minimum-calls", () -> "5");
        registry.add("amazon.circuit-breaker.wait-in-open-state", () -> "2s");
    }

    @AfterAll
    static void stopAccountService() {
        if (toAccountService != null) {
            toAccountService.close();
        }
        if (accountService != null) {
            accountService.close();
        }
    }

    @Autowired
    AmazonTokenClientAccess amazonClient;

    @AfterEach
    void clearFaults() {
        TestInfrastructure.amazon().reset();
        TestInfrastructure.google().reset();
        TestInfrastructure.microsoft().reset();
        toAccountService.restore();
    }

    @Test
    void googleAndMicrosoftConnectionsAreRefreshedAtTheirOwnProviders() throws Exception {
        String google = accountService.connectProvider("user_refresh_google", "google");
        String microsoft = accountService.connectProvider("user_refresh_microsoft", "microsoft");
        int amazonCalls = refreshCalls();
        int googleCalls = TestInfrastructure.google().tokenCalls("refresh_token");
        int microsoftCalls = TestInfrastructure.microsoft().tokenCalls("refresh_token");

        accountService.expireSoon(google);
        accountService.expireSoon(microsoft);

        await().atMost(Duration.ofSeconds(20)).until(() -> accountService.secondsLeft(google) > 3000
                && accountService.secondsLeft(microsoft) > 3000);
        assertThat(accountService.status(google)).isEqualTo("ACTIVE");
        assertThat(accountService.status(microsoft)).isEqualTo("ACTIVE");
        assertThat(TestInfrastructure.google().tokenCalls("refresh_token") - googleCalls).isEqualTo(1);
        assertThat(TestInfrastructure.microsoft().tokenCalls("refresh_token") - microsoftCalls).isEqualTo(1);
        assertThat(refreshCalls()).as("nothing went to Amazon").isEqualTo(amazonCalls);
        // Google sent no new refresh token: the stored one stays, and works for the next refresh
        accountService.expireSoon(google);
        await().atMost(Duration.ofSeconds(20)).until(() -> accountService.secondsLeft(google) > 3000);
        assertThat(accountService.status(google)).isEqualTo("ACTIVE");
    }

    /**
     * Microsoft answers every refresh with a new refresh token; here, as strictly as possible, the
     * old one dies with it. Three refreshes in a row succeed only if each used the one before's.
     */
    @Test
    void microsoftsRotatedRefreshTokenIsTheOneUsedNextTime() throws Exception {
        TestInfrastructure.microsoft().revokeRotatedOutRefreshTokens(true);
        String id = accountService.connectProvider("user_refresh_rotation", "microsoft");
        for (int refresh = 1; refresh <= 3; refresh++) {
            accountService.sql("UPDATE connections SET access_token_expires_at = now() + interval '2 minutes' WHERE id = ?::uuid", id);
            await().atMost(Duration.ofSeconds(20)).until(() -> accountService.secondsLeft(id) > 3000);
            assertThat(accountService.status(id)).as("refresh " + refresh).isEqualTo("ACTIVE");
        }
    }

    /**
     * The report of a Microsoft refresh cannot reach account-service for a while: the rotated refresh
     * token it carries is the only one that works (the old one died with the refresh), so losing it
     * would end the connection. It is delivered once account-service answers; the next refresh works.
     */
    @Test
    void aMicrosoftReportHeldUpByAnOutageKeepsTheConnectionAlive() throws Exception {
        TestInfrastructure.microsoft().revokeRotatedOutRefreshTokens(true);
        String id = accountService.connectProvider("user_refresh_rotation_outage", "microsoft");
        SandboxFault.Gate answer = TestInfrastructure.microsoft().holdNext(SandboxMicrosoft.Endpoint.TOKEN);

        accountService.expireSoon(id);
        assertThat(answer.awaitArrival(Duration.ofSeconds(30))).isTrue();
        toAccountService.cut();
        answer.open();
        double retries = successReportRetries();
        await().atMost(Duration.ofSeconds(30)).until(() -> successReportRetries() >= retries + 3);
        toAccountService.restore();

        await().atMost(Duration.ofSeconds(45)).until(() -> accountService.secondsLeft(id) > 3000);
        assertThat(accountService.status(id)).isEqualTo("ACTIVE");
        // the stored refresh token is the rotated one: the next refresh succeeds
        accountService.expireSoon(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> accountService.secondsLeft(id) > 3000
                && "t".equals(accountService.query("SELECT lease_expires_at IS NULL FROM connections WHERE id = ?::uuid", id)));
        assertThat(accountService.status(id)).isEqualTo("ACTIVE");
    }

    @Test
    void aGrantRevokedByTheUserNeedsReauthorizationWhichMakesItActiveAgainForGoogleAndMicrosoft() throws Exception {
        for (String provider : List.of("google", "microsoft")) {
            String user = "user_refresh_" + provider + "_revoked";
            String id = accountService.connectProvider(user, provider);
            // the user removed the app's access at the provider: the next refresh is refused
            if ("google".equals(provider)) {
                TestInfrastructure.google().failNext(SandboxGoogle.Endpoint.TOKEN, 1, new SandboxFault.InvalidGrant());
            } else {
                TestInfrastructure.microsoft().failNext(SandboxMicrosoft.Endpoint.TOKEN, 1, new SandboxFault.InvalidGrant());
            }

            accountService.expireSoon(id);
            await().atMost(Duration.ofSeconds(20)).until(() -> "REAUTH_REQUIRED".equals(accountService.status(id)));
            assertThat(accountService.query("SELECT last_error_code FROM connections WHERE id = ?::uuid", id)).as(provider)
                    .isEqualTo("invalid_grant");

            assertThat(accountService.reauthorize(user, id)).isEqualTo(id);
            assertThat(accountService.status(id)).as(provider).isEqualTo("ACTIVE");
            assertThat(accountService.secondsLeft(id)).isGreaterThan(3000);
            // and it refreshes again with the grant the re-authorization brought
            accountService.expireSoon(id);
            await().atMost(Duration.ofSeconds(20)).until(() -> accountService.secondsLeft(id) > 3000);
            assertThat(accountService.status(id)).as(provider).isEqualTo("ACTIVE");
        }
    }

    @Test
    void aSuccessReportThatCannotBeDeliveredForAWhileIsStoredOnceAccountServiceAnswersAgain() throws Exception {
        String id = accountService.connect("user_report_outage", "NA");
        SandboxFault.Gate amazonAnswer = TestInfrastructure.amazon().holdNext(Endpoint.TOKEN);
        int before = refreshCalls();

        accountService.expireSoon(id);
        // the lease is taken and Amazon has the refresh request; then account-service becomes unreachable
        assertThat(amazonAnswer.awaitArrival(Duration.ofSeconds(30))).isTrue();
        toAccountService.cut();
        amazonAnswer.open();

        // Amazon granted the refresh; the report cannot get through, and is tried again and again
        await().atMost(Duration.ofSeconds(30)).until(() -> successReportRetries() >= 3);
        assertThat(accountService.secondsLeft(id)).isLessThan(600);
        toAccountService.restore();

        // (the refresher's breaker for account-service opened meanwhile, and lets calls through again after 10 s)
        await().atMost(Duration.ofSeconds(45)).until(() -> accountService.secondsLeft(id) > 3000);
        assertThat(accountService.status(id)).isEqualTo("ACTIVE");
        assertThat(refreshCalls() - before).as("one Amazon refresh, its tokens stored").isEqualTo(1);
        assertThat(accountService.query("SELECT lease_expires_at IS NULL FROM connections WHERE id = ?::uuid", id)).isEqualTo("t");
    }

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private double successReportRetries() {
        var counter = meters.find("refresher.success_report.retries").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void anExpiringTokenIsRefreshedOnce() throws Exception {
        String id = accountService.connect("user_refresh_ok", "NA");
        int calls = refreshCalls();

        accountService.expireSoon(id);

        await().atMost(Duration.ofSeconds(20)).until(() -> accountService.secondsLeft(id) > 3000);
        assertThat(accountService.status(id)).isEqualTo("ACTIVE");
        Thread.sleep(1500); // nothing more happens: no second refresh for the same claim
        assertThat(refreshCalls() - calls).isEqualTo(1);
    }

    @Test
    void redeliveredAndStaleEventsCauseNoSecondRefresh() throws Exception {
        String id = accountService.connect("user_refresh_dup", "NA");
        accountService.expireSoon(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> accountService.secondsLeft(id) > 3000);
        int after = refreshCalls();

        // the event again, as Kafka redelivers it, and a copy with another id but the same (used) generation
        ConsumerRecord<String, String> event = readEvent(id);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafka().bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(event.topic(), null, event.key(), event.value(), event.headers())).get();
            ProducerRecord<String, String> copy = new ProducerRecord<>(event.topic(), event.key(), event.value());
            event.headers().forEach(h -> {
                if (!h.key().equals("ce_id")) {
                    copy.headers().add(h);
                }
            });
            copy.headers().add("ce_id", UUID.randomUUID().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            producer.send(copy).get();
        }

        Thread.sleep(3_000);
        assertThat(refreshCalls()).isEqualTo(after);
        assertThat(accountService.status(id)).isEqualTo("ACTIVE");
    }

    private static ConsumerRecord<String, String> readEvent(String connectionId) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfrastructure.kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(accountService.tokenExpiringTopic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (connectionId.equals(record.key())) {
                        return record;
                    }
                }
            }
        }
        throw new AssertionError("no token-expiring event for " + connectionId);
    }

    @Test
    void a429WithRetryAfterIsHonouredBeforeTheNextCall() throws Exception {
        String id = accountService.connect("user_refresh_429", "EU");
        TestInfrastructure.amazon().failNext(Endpoint.TOKEN, 1, new SandboxFault.RateLimited(Duration.ofSeconds(2)));
        int before = refreshCalls();

        accountService.expireSoon(id);

        await().atMost(Duration.ofSeconds(30)).until(() -> accountService.secondsLeft(id) > 3000);
        List<ServeEvent> calls = refreshServeEvents().subList(before, refreshCalls());
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).getResponse().getStatus()).isEqualTo(429);
        long waitedMillis = calls.get(1).getRequest().getLoggedDate().getTime() - calls.get(0).getRequest().getLoggedDate().getTime();
        assertThat(waitedMillis).isGreaterThanOrEqualTo(2000);
    }

    @Test
    void serverErrorsThenSuccess() throws Exception {
        String id = accountService.connect("user_refresh_5xx", "NA");
        TestInfrastructure.amazon().failNext(Endpoint.TOKEN, 2, new SandboxFault.ServerError(503));
        int before = refreshCalls();

        accountService.expireSoon(id);

        await().atMost(Duration.ofSeconds(30)).until(() -> accountService.secondsLeft(id) > 3000);
        assertThat(refreshCalls() - before).isEqualTo(3);
        assertThat(accountService.status(id)).isEqualTo("ACTIVE");
    }

    @Test
    void aTimeoutThenSuccess() throws Exception {
        String id = accountService.connect("user_refresh_timeout", "NA");
        TestInfrastructure.amazon().failNext(Endpoint.TOKEN, 1, new SandboxFault.Latency(Duration.ofSeconds(3)));

        accountService.expireSoon(id);

        await().atMost(Duration.ofSeconds(30)).until(() -> accountService.secondsLeft(id) > 3000);
        assertThat(accountService.status(id)).isEqualTo("ACTIVE");
    }

    @Test
    void invalidGrantMeansReauthRequiredAfterExactlyOneAmazonCall() throws Exception {
        String id = accountService.connect("user_refresh_invalid", "NA");
        TestInfrastructure.amazon().failNext(Endpoint.TOKEN, 1, new SandboxFault.InvalidGrant());
        int before = refreshCalls();

        accountService.expireSoon(id);

        await().atMost(Duration.ofSeconds(20)).until(() -> "REAUTH_REQUIRED".equals(accountService.status(id)));
        assertThat(accountService.query("SELECT last_error_code FROM connections WHERE id = ?::uuid", id)).isEqualTo("invalid_grant");
        Thread.sleep(1500);
        assertThat(refreshCalls() - before).isEqualTo(1);
    }

    @Test
    void theCircuitOpensUnderAFailureStormAndRecovers() throws Exception {
        amazonClient.storm("FE", 60);
        assertThat(amazonClient.state("FE")).isEqualTo("OPEN");
        TestInfrastructure.amazon().reset();

        Thread.sleep(2_200); // wait-in-open-state
        amazonClient.recover("FE");
        assertThat(amazonClient.state("FE")).isIn("CLOSED", "HALF_OPEN");
    }

    private static int refreshCalls() {
        return refreshServeEvents().size();
    }

    private static List<ServeEvent> refreshServeEvents() {
        return TestInfrastructure.amazon().wireMock().getAllServeEvents().stream()
                .filter(event -> event.getRequest().getUrl().endsWith("/auth/o2/token"))
                .filter(event -> event.getRequest().getBodyAsString().contains("grant_type=refresh_token"))
                .sorted(Comparator.comparing(event -> event.getRequest().getLoggedDate()))
                .toList();
    }
}
