package com.adsconnect.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.devinfra.amazon.SandboxConnectFlow;
import com.adsconnect.devinfra.postgres.HeldTransaction;
import com.adsconnect.local.LocalStackSettings.Instances;
import com.adsconnect.local.support.AmazonRefreshCalls;
import com.adsconnect.local.support.OutboxLedger;
import com.adsconnect.local.support.StackDb;
import com.adsconnect.local.support.Stacks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The local multi-instance mode ({@code -Dlocal.instances=2,2,3}) under a rolling restart: two
 * gateways sharing Redis budgets, two account-services on one PostgreSQL behind a balancer, three
 * refreshers in one consumer group. Several hundred connections go through expiry and refresh
 * while one refresher and one account-service are stopped and started, and the run must show every
 * connection refreshed exactly once, no event left behind, and one budget per user across gateways.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiInstanceIT {

    private static final int CONNECTIONS = Integer.getInteger("it.multi.connections", 300);
    private static final int BUDGET = 20;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static LocalStackSettings settings;
    private static LocalStack stack;
    private static StackDb db;
    private static final List<String> connectionIds = new ArrayList<>();
    private static final List<String> report = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        settings = Stacks.forSuite("multi-instance-it")
                .withInstances(new Instances(2, 2, 3))
                .withFaultProxies()
                .withExtraArguments(LocalStackSettings.ACCOUNT_SERVICE, "--token-vault.scheduler-interval=500ms",
                        "--kafka.relay-interval=100ms", "--kafka.topics.partitions=12", "--token-vault.lease-duration=30s")
                .withExtraArguments(LocalStackSettings.TOKEN_REFRESHER, "--refresher.commit-interval=200ms")
                .withExtraArguments(LocalStackSettings.GATEWAY, "--rate-limit.plans.default.capacity=" + BUDGET,
                        "--rate-limit.plans.default.period=10m");
        stack = new LocalStack(settings);
        stack.start();
        db = new StackDb(stack);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> created = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                String user = "user_multi_" + i;
                String region = i % 3 == 0 ? "EU" : "NA";
                // straight to the account-service balancer: the gateways' connect budget is not under test here
                created.add(pool.submit(() -> new SandboxConnectFlow(stack.accountServiceUrl())
                        .connect(stack.clerk().sessionToken(user), region).id()));
            }
            for (Future<String> id : created) {
                connectionIds.add(id.get());
            }
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.stop();
        }
        System.out.println("multi-instance suite:");
        report.forEach(line -> System.out.println("  " + line));
    }

    @Test
    @Order(1)
    void everyInstanceIsUp() {
        assertThat(stack.instanceNames()).containsExactlyInAnyOrder("auth-gateway-1", "auth-gateway-2",
                "account-service-1", "account-service-2", "token-refresher-1", "token-refresher-2", "token-refresher-3");
        assertThat(connectionIds).hasSize(CONNECTIONS).doesNotHaveDuplicates();
    }

    @Test
    @Order(2)
    void aRollingRestartDuringARefreshWaveRefreshesEveryConnectionExactlyOnce() throws Exception {
        // ours and the demo's connection made at start
        long total = db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON'");
        assertThat(total).isEqualTo(CONNECTIONS + 1);
        Date roundStart = new Date();
        // each refresh takes 300 ms at Amazon, so the wave is still running when instances go down
        stack.amazon().failNext(SandboxAmazon.Endpoint.TOKEN, (int) total * 2, new SandboxFault.Latency(Duration.ofMillis(300)));
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '2 minutes' WHERE provider = 'AMAZON'");

        Thread.sleep(3_000);
        long refreshedBeforeRestart = freshConnections();
        stack.stopInstance("token-refresher-1", Duration.ofSeconds(30));
        stack.stopInstance("account-service-1", Duration.ofSeconds(30));
        Thread.sleep(2_000);
        stack.restartInstance("account-service-1");
        stack.restartInstance("token-refresher-1");

        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> freshConnections() == total);
        report.add("rolling restart mid-wave: %d of %d connections refreshed before it began, all %d refreshed exactly once after"
                .formatted(refreshedBeforeRestart, total, total));
        assertThat(refreshedBeforeRestart).as("the restart happened mid-wave").isLessThan(total);

        Map<String, Integer> calls = AmazonRefreshCalls.byToken(stack.amazon(), roundStart, false);
        assertThat(calls).as("one Amazon refresh per connection, none twice").hasSize((int) total)
                .allSatisfy((token, count) -> assertThat(count).isEqualTo(1));
        assertThat(db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON' AND status <> 'ACTIVE'")).isZero();
        assertThat(db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON' AND lease_expires_at IS NOT NULL")).isZero();
        assertThat(db.count("SELECT count(*) FROM connection_tokens t JOIN connections c ON c.id = t.connection_id WHERE c.provider = 'AMAZON'")).isEqualTo(total);
        // no event left behind: the outbox drained, and the refresher group consumed every token-expiring event
        await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM outbox_events") == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> consumerLag("token-refresher", "amazon.token-expiring") == 0);
        long busyRefreshers = stack.instanceNames().stream().filter(name -> name.startsWith("token-refresher"))
                .filter(name -> refreshedBy(name) > 0).count();
        assertThat(busyRefreshers).as("refreshers that did part of the work").isGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(3)
    void everyEventCommittedWhileKafkaStallsArrivesOncePerId() throws Exception {
        long total = db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON'");
        int connects = 16;
        OutboxLedger.Tally tally;
        try (OutboxLedger ledger = OutboxLedger.record(db)) {
            stack.kafka().stall();
            try (HeldTransaction early = db.hold(); HeldTransaction late = db.hold()) {
                // two account-service transactions, as Outbox writes events: the early one takes ids a and
                // b, the late one takes the id between them and commits last, while a relay holds a and b
                String first = connectionIds.get(0);
                String second = connectionIds.get(1);
                writeEvent(early, first);
                writeEvent(late, second);
                writeEvent(early, first);
                early.commit();
                await().atMost(Duration.ofSeconds(30)).until(() -> db.count("""
                        SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                           AND state = 'idle in transaction' AND query LIKE '%FROM outbox_events ORDER BY id%'""") == 1);
                // meanwhile users connect through either replica (one event per transaction), the late
                // transaction commits, and both replicas' schedulers claim a wave (hundreds of events per transaction)
                try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                    List<Future<String>> created = new ArrayList<>();
                    for (int i = 0; i < connects; i++) {
                        String user = "user_multi_stall_" + i;
                        String replica = stack.instanceUrl(i % 2 == 0 ? "account-service-1" : "account-service-2");
                        created.add(pool.submit(() -> new SandboxConnectFlow(replica).connect(stack.clerk().sessionToken(user), "NA").id()));
                    }
                    for (Future<String> id : created) {
                        id.get();
                    }
                }
                late.commit();
                db.execute("UPDATE connections SET access_token_expires_at = now() + interval '4 minutes', next_refresh_at = NULL WHERE provider = 'AMAZON'");
                await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM outbox_ledger") >= total + connects + 3);
            } finally {
                stack.kafka().resume();
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> db.count("SELECT count(*) FROM outbox_events") == 0);
            tally = ledger.tally(stack.kafkaBootstrapServers(), List.of("amazon.token-expiring", "amazon.connection-status"));
        }
        report.add(("Kafka stalled while %d transactions on 2 replicas committed %d events (a wave's claims, %d connects, and one that "
                + "committed inside a batch in flight): %d arrived, %d twice")
                .formatted(tally.transactions(), tally.committed(), connects, tally.committed() - tally.missing().size(), tally.duplicated()));
        assertThat(tally.committed()).isGreaterThanOrEqualTo((int) total + connects + 3);
        assertThat(tally.missing()).as("committed events that never reached Kafka").isEmpty();

        // and the wave goes on as usual once the broker answers
        long now = db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON'");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> freshConnections() == now);
        await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON' AND lease_expires_at IS NOT NULL") == 0);
    }

    @Test
    @Order(4)
    void bothGatewaysDrawOnOneBudgetPerUser() throws Exception {
        String token = stack.clerk().sessionToken("user_multi_budget_" + System.nanoTime());
        int ok = 0;
        int limited = 0;
        for (int i = 0; i < BUDGET + 10; i++) {
            String gateway = stack.instanceUrl(i % 2 == 0 ? "auth-gateway-1" : "auth-gateway-2");
            int status = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/me")).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                ok++;
            } else if (status == 429) {
                limited++;
            }
        }
        assertThat(ok).as("requests within the shared budget").isEqualTo(BUDGET);
        assertThat(limited).as("requests over it, on either gateway").isEqualTo(10);
    }

    /** An event as account-service's Outbox writes one: under the connection's row lock, in the caller's transaction. */
    private static void writeEvent(HeldTransaction transaction, String connectionId) {
        transaction.text("""
                INSERT INTO outbox_events (event_id, topic, event_key, event_type, subject, payload)
                SELECT gen_random_uuid(), 'amazon.connection-status', id::text, 'dev.ads-connect.amazon.connection.status-changed.v1',
                       'connections/' || id, jsonb_build_object('connectionId', id, 'userId', user_id, 'provider', provider,
                           'region', region, 'status', status, 'previousStatus', status, 'reason', 'RECOVERED', 'errorCode', NULL,
                           'occurredAt', now())
                  FROM connections WHERE provider = 'AMAZON' AND id = ?::uuid FOR NO KEY UPDATE
                RETURNING id""", connectionId);
    }

    private static long freshConnections() {
        return db.count("SELECT count(*) FROM connections WHERE provider = 'AMAZON' AND status = 'ACTIVE' AND access_token_expires_at > now() + interval '50 minutes'");
    }

    private static long consumerLag(String group, String topic) throws Exception {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + settings.kafkaPort());
        try (Admin admin = Admin.create(config)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            var ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get();
            return partitions.stream().mapToLong(p -> ends.get(p).offset() - (committed.containsKey(p) ? committed.get(p).offset() : 0)).sum();
        }
    }

    private static long refreshedBy(String instance) {
        try {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(stack.instanceUrl(instance) + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher matcher = Pattern.compile("refresher_refreshes_total\\{[^}]*outcome=\"refreshed\"[^}]*} ([0-9.E]+)").matcher(metrics);
            double total = 0;
            while (matcher.find()) {
                total += Double.parseDouble(matcher.group(1));
            }
            return (long) total;
        } catch (Exception e) {
            return 0;
        }
    }
}
