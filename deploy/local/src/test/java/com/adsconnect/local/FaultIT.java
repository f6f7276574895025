package com.adsconnect.local;

import static com.adsconnect.local.support.StackClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.devinfra.amazon.SandboxConnectFlow;
import com.adsconnect.devinfra.net.TcpProxy;
import com.adsconnect.local.support.AmazonRefreshCalls;
import com.adsconnect.local.support.StackClient;
import com.adsconnect.local.support.StackClient.Reply;
import com.adsconnect.local.support.StackDb;
import com.adsconnect.local.support.Stacks;
import com.adsconnect.local.support.TopicRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The system under the faults production will bring, one refresh wave per fault: Amazon's 429 and
 * 5xx storms, a refresher killed mid-refresh, Kafka down for a minute, PostgreSQL cut off under
 * load, the gateway's Redis gone, duplicate and reordered Kafka deliveries. After each: every
 * connection refreshed and ACTIVE without anyone's help, the outbox drained, no lease left, no
 * connection refreshed more often than it was leased; and all along, an internal service asking
 * for tokens is never handed an expired one. What was checked is counted and printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultIT {

    private static final int USERS = 60;
    private static final List<String> report = new ArrayList<>();

    private static TcpProxy redisProxy;
    private static LocalStack stack;
    private static StackDb db;
    private static StackClient gateway;
    private static final List<String> connectionIds = new ArrayList<>();
    /** Ours and the local run's demo connection. */
    private static long connections;
    private static TokenWatcher watcher;

    @BeforeAll
    static void start() throws Exception {
        redisProxy = TcpProxy.start(System.getenv().getOrDefault("DEV_REDIS_HOST", "127.0.0.1"),
                Integer.parseInt(System.getenv().getOrDefault("DEV_REDIS_PORT", "6379")));
        stack = new LocalStack(Stacks.forSuite("fault-it")
                .withFaultProxies()
                .withExtraArguments(LocalStackSettings.ACCOUNT_SERVICE, "--token-vault.scheduler-interval=500ms",
                        "--kafka.relay-interval=100ms", "--token-vault.lease-duration=15s", "--token-vault.failure-backoff=2s",
                        "--token-vault.max-failure-backoff=10s")
                .withExtraArguments(LocalStackSettings.TOKEN_REFRESHER, "--refresher.commit-interval=200ms", "--refresher.retry-delay=3s",
                        "--refresher.report-retry-max-backoff=2s", "--account-service.circuit-open=2s",
                        // a call must fit in the lease with its margin: 3 s + 5 s of the 15 s lease
                        "--amazon.time-limit=3s")
                .withExtraArguments(LocalStackSettings.GATEWAY, "--rate-limit.backend=redis",
                        "--rate-limit.redis.url=redis://" + redisProxy.host() + ":" + redisProxy.port(),
                        "--rate-limit.redis.key-prefix=fault-it-" + System.nanoTime() + ":"));
        stack.start();
        db = new StackDb(stack);
        gateway = new StackClient(stack.gatewayUrl());
        for (int i = 0; i < USERS; i++) {
            connectionIds.add(new SandboxConnectFlow(stack.accountServiceUrl())
                    .connect(stack.clerk().sessionToken("user_fault_" + i), i % 2 == 0 ? "NA" : "EU").id());
        }
        connections = db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON'");
        assertThat(connections).isEqualTo(USERS + 1);
        watcher = new TokenWatcher(new StackClient(stack.accountServiceUrl()), stack.readerApiKey(), db);
        watcher.start();
    }

    @AfterAll
    static void stop() {
        if (watcher != null) {
            watcher.stop();
        }
        if (stack != null) {
            stack.stop();
        }
        if (redisProxy != null) {
            redisProxy.close();
        }
        System.out.println("fault suite:");
        report.forEach(line -> System.out.println("  " + line));
    }

    @Test
    @Order(1)
    void amazonRateLimitAndServerErrorStorms() throws Exception {
        wave("Amazon answering 429 (Retry-After 1 s) for 15 s, then 503 for 15 s", false,
                () -> stack.amazon().failFor(SandboxAmazon.Endpoint.TOKEN, Duration.ofSeconds(15),
                        new SandboxFault.RateLimited(Duration.ofSeconds(1))),
                () -> {
                    Thread.sleep(15_000);
                    stack.amazon().failFor(SandboxAmazon.Endpoint.TOKEN, Duration.ofSeconds(15), new SandboxFault.ServerError(503));
                });
    }

    @Test
    @Order(2)
    void aRefresherKilledMidRefresh() throws Exception {
        wave("token-refresher killed (SIGKILL) mid-wave and restarted", true,
                () -> stack.amazon().failNext(SandboxAmazon.Endpoint.TOKEN, USERS * 4, new SandboxFault.Latency(Duration.ofMillis(500))),
                () -> {
                    Thread.sleep(2_000);
                    stack.killInstance("token-refresher");
                    Thread.sleep(2_000);
                    stack.restartInstance("token-refresher");
                });
    }

    @Test
    @Order(3)
    void kafkaDownForAMinute() throws Exception {
        wave("Kafka down for 60 s during the wave", true, () -> {
        }, () -> {
            Thread.sleep(1_000);
            stack.kafka().stop();
            Thread.sleep(60_000);
            stack.kafka().start();
        });
    }

    @Test
    @Order(4)
    void postgresCutOffUnderLoad() throws Exception {
        wave("PostgreSQL connections reset and refused for 10 s under load", true,
                () -> stack.amazon().failNext(SandboxAmazon.Endpoint.TOKEN, USERS * 4, new SandboxFault.Latency(Duration.ofMillis(300))),
                () -> {
                    Thread.sleep(1_500);
                    stack.databaseProxy().cut();
                    Thread.sleep(10_000);
                    stack.databaseProxy().restore();
                });
    }

    @Test
    @Order(5)
    void successReportsThatCannotReachAccountServiceForAWhileAreStoredOnceItAnswers() throws Exception {
        AtomicReference<SandboxFault.Gate> held = new AtomicReference<>();
        AtomicLong retried = new AtomicLong();
        wave("account-service cut off from the refresher while Amazon's answers were on their way", false,
                () -> held.set(stack.amazon().holdNext(SandboxAmazon.Endpoint.TOKEN)),
                () -> {
                    double before = refresherMetric("refresher_success_report_retries_total");
                    // a refresh has its lease and Amazon has its request: now the refresher loses account-service
                    assertThat(held.get().awaitArrival(Duration.ofSeconds(60))).isTrue();
                    stack.refresherToAccountServiceProxy().cut();
                    held.get().open();
                    try {
                        // the granted refresh's report failed and is being sent again
                        await().atMost(Duration.ofSeconds(30)).until(() -> refresherMetric("refresher_success_report_retries_total") > before);
                        Thread.sleep(3_000);
                    } finally {
                        stack.refresherToAccountServiceProxy().restore();
                    }
                    retried.set((long) (refresherMetric("refresher_success_report_retries_total") - before));
                });
        // the access token Amazon granted while account-service was out of reach is the one in use
        String granted = held.get().answer().replaceAll(".*\"access_token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
        long serving = connectionIdsWithUsers().entrySet().stream()
                .filter(entry -> granted.equals(accessToken(entry.getValue(), entry.getKey())))
                .count();
        assertThat(serving).as("connections whose token API serves the held refresh's access token").isEqualTo(1);
        report.add("  ... success reports sent again while cut off: %d; the held refresh's tokens stored and served".formatted(retried.get()));
    }

    @Test
    @Order(6)
    void theGatewaysRedisGoesAway() throws Exception {
        String token = stack.clerk().sessionToken("user_fault_0");
        assertThat(gateway.get("/api/v1/me", bearer(token)).status()).isEqualTo(200);
        redisProxy.cut();
        int served = 0;
        try {
            for (int i = 0; i < 20; i++) {
                Reply reply = gateway.get("/api/v1/me", bearer(token));
                assertThat(reply.status()).as("with Redis down the gateway keeps serving (on-failure=local)").isEqualTo(200);
                assertThat(reply.header("RateLimit")).as("and keeps limiting, with this replica's buckets").isNotNull();
                served++;
            }
        } finally {
            redisProxy.restore();
        }
        Reply metrics = gateway.get("/actuator/prometheus", Map.of());
        assertThat(metrics.body().lines().filter(line -> line.startsWith("gateway_rate_limit_backend_failures_total{"))
                .filter(line -> line.contains("mode=\"local\"")).findFirst()).as("Redis failures counted").isPresent();
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.get("/api/v1/me", bearer(token)).status() == 200);
        report.add("gateway's Redis cut: %d of 20 requests served with local budgets, shared budgets back after restore".formatted(served));
    }

    @Test
    @Order(7)
    void duplicateAndReorderedKafkaDeliveriesChangeNothing() throws Exception {
        Map<String, Long> generations = generations();
        Date since = new Date();
        List<ConsumerRecord<byte[], byte[]>> delivered = TopicRecords.readAll(stack.kafkaBootstrapServers(), List.of("amazon.token-expiring"));
        List<ConsumerRecord<byte[], byte[]>> replay = new ArrayList<>(delivered);
        Collections.reverse(replay);
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
            for (ConsumerRecord<byte[], byte[]> record : replay) {
                producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.key(), record.value(), record.headers()));
                // and each one twice
                producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.key(), record.value(), record.headers()));
            }
        }
        Thread.sleep(10_000);
        assertThat(AmazonRefreshCalls.byToken(stack.amazon(), since, true).values().stream().mapToInt(Integer::intValue).sum())
                .as("Amazon refreshes caused by %d redelivered events", replay.size() * 2).isZero();
        assertThat(generations()).as("no new lease was taken").isEqualTo(generations);
        assertThat(freshConnections()).isEqualTo(connections);
        report.add("%d earlier token-expiring events delivered again, twice each, newest first: 0 Amazon calls, 0 new leases"
                .formatted(replay.size()));
    }

    @Test
    @Order(8)
    void anInternalServiceWasNeverHandedAnAlmostExpiredToken() {
        watcher.stop();
        report.add("internal token API during all faults: %d tokens served, %d answered 503 (retry later), %d other errors, %d with less than a minute left"
                .formatted(watcher.served.get(), watcher.unavailable.get(), watcher.failed.get(), watcher.expired.get()));
        assertThat(watcher.expired.get()).as("tokens served with less than a minute left").isZero();
        assertThat(watcher.served.get()).as("tokens served while the faults happened").isGreaterThan(100);
    }

    /** Makes every connection due, applies the fault, and checks the wave's outcome. */
    private static void wave(String fault, boolean reportsMayBeLost, ThrowingRunnable before, ThrowingRunnable during) throws Exception {
        // faults a previous wave did not use up must not leak into this one
        stack.amazon().reset();
        Map<String, Long> generationsBefore = generations();
        Date since = new Date();
        long started = System.nanoTime();
        before.run();
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '4 minutes', next_refresh_at = NULL WHERE provider = 'AMAZON'");
        during.run();
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> freshConnections() == connections);
        await().atMost(Duration.ofSeconds(60)).until(() -> db.count("SELECT count(*) FROM outbox_events") == 0
                && db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON' AND lease_expires_at IS NOT NULL") == 0);
        assertThat(db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON' AND status <> 'ACTIVE'")).isZero();
        assertThat(db.count("SELECT count(*) FROM connection_tokens t JOIN connections c ON c.id = t.connection_id WHERE c.provider = 'AMAZON'")).isEqualTo(connections);

        Map<String, Long> generationsAfter = generations();
        List<Long> leases = generationsAfter.entrySet().stream().map(e -> e.getValue() - generationsBefore.get(e.getKey()))
                .sorted(Comparator.reverseOrder()).toList();
        List<Integer> refreshes = AmazonRefreshCalls.byToken(stack.amazon(), since, true).values().stream().sorted(Comparator.reverseOrder()).toList();
        assertThat(refreshes).as("every connection refreshed").hasSize((int) connections);
        // tokens cannot be matched to connections from outside, but sorted pairwise is necessary for any matching
        for (int i = 0; i < connections; i++) {
            assertThat((long) refreshes.get(i)).as("a connection refreshed more often than it was leased").isLessThanOrEqualTo(leases.get(i));
        }
        if (!reportsMayBeLost) {
            assertThat(refreshes).as("exactly one successful Amazon refresh per connection").allMatch(count -> count == 1);
        }
        long twice = refreshes.stream().filter(count -> count > 1).count();
        report.add("%s: %d/%d connections refreshed and ACTIVE in %d s, %d Amazon refreshes (%d connections twice, each on a new lease), outbox empty, no lease open"
                .formatted(fault, connections, connections, Duration.ofNanos(System.nanoTime() - started).toSeconds(),
                        refreshes.stream().mapToInt(Integer::intValue).sum(), twice));
    }

    private static Map<String, String> connectionIdsWithUsers() {
        return db.pairs("SELECT id::text, user_id FROM connections WHERE provider = 'AMAZON'");
    }

    /** What the internal token API serves for the connection now. */
    private static String accessToken(String userId, String connectionId) {
        Reply reply = new StackClient(stack.accountServiceUrl()).send("POST", "/internal/v1/tokens", Map.of("X-Api-Key", stack.readerApiKey()),
                "application/json", "{\"userId\":\"" + userId + "\",\"connectionId\":\"" + connectionId + "\"}");
        return reply.status() == 200 ? reply.json("$.accessToken") : null;
    }

    /** A counter of the (single) refresher, from its Prometheus endpoint; 0 when absent. */
    private static double refresherMetric(String name) {
        Reply metrics = new StackClient(stack.tokenRefresherUrl()).get("/actuator/prometheus", Map.of());
        return metrics.body().lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static long freshConnections() {
        return db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON' AND status = 'ACTIVE' AND access_token_expires_at > now() + interval '50 minutes'");
    }

    private static Map<String, Long> generations() {
        return db.pairs("SELECT id::text, lease_generation::text FROM connections WHERE provider = 'AMAZON'").entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> Long.parseLong(e.getValue())));
    }

    /**
     * An internal service that keeps asking for tokens while the faults happen. A 503 (retry
     * later) is allowed; a token that has already expired, or has less than the promised minute
     * left, never is.
     */
    private static final class TokenWatcher {

        final AtomicLong served = new AtomicLong();
        final AtomicLong unavailable = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong expired = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final StackClient accountService;
        private final String apiKey;
        private final List<String> users = new ArrayList<>();
        private Thread thread;

        TokenWatcher(StackClient accountService, String apiKey, StackDb db) {
            this.accountService = accountService;
            this.apiKey = apiKey;
            for (String id : connectionIds) {
                users.add(db.text("SELECT user_id FROM connections WHERE provider = 'AMAZON' AND id = ?::uuid", id));
            }
        }

        void start() {
            thread = Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    int i = ThreadLocalRandom.current().nextInt(connectionIds.size());
                    try {
                        Reply reply = accountService.send("POST", "/internal/v1/tokens", Map.of("X-Api-Key", apiKey), "application/json",
                                "{\"userId\":\"" + users.get(i) + "\",\"connectionId\":\"" + connectionIds.get(i) + "\"}");
                        if (reply.status() == 200) {
                            served.incrementAndGet();
                            if (Instant.parse(reply.json("$.expiresAt")).isBefore(Instant.now().plusSeconds(55))) {
                                expired.incrementAndGet();
                            }
                        } else if (reply.status() == 503) {
                            unavailable.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (RuntimeException unreachable) {
                        failed.incrementAndGet();
                    }
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        void stop() {
            running.set(false);
            thread.interrupt();
        }
    }
}
