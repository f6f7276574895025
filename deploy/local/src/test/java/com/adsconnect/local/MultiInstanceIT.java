package com.adsconnect.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.amazon.SandboxAmazonFault;
import com.adsconnect.devinfra.amazon.SandboxConnectFlow;
import com.adsconnect.local.LocalStackSettings.Instances;
import com.adsconnect.local.support.AmazonRefreshCalls;
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

    @BeforeAll
    static void start() throws Exception {
        settings = Stacks.forSuite("multi-instance-it")
                .withInstances(new Instances(2, 2, 3))
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
        long total = db.count("SELECT count(*) FROM connections");
        assertThat(total).isEqualTo(CONNECTIONS + 1);
        Date roundStart = new Date();
        // each refresh takes 300 ms at Amazon, so the wave is still running when instances go down
        stack.amazon().failNext(SandboxAmazon.Endpoint.TOKEN, (int) total * 2, new SandboxAmazonFault.Latency(Duration.ofMillis(300)));
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '2 minutes'");

        Thread.sleep(3_000);
        long refreshedBeforeRestart = freshConnections();
        stack.stopInstance("token-refresher-1", Duration.ofSeconds(30));
        stack.stopInstance("account-service-1", Duration.ofSeconds(30));
        Thread.sleep(2_000);
        stack.restartInstance("account-service-1");
        stack.restartInstance("token-refresher-1");

        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> freshConnections() == total);
        System.out.printf("multi-instance: %d of %d connections refreshed before the restart began%n", refreshedBeforeRestart, total);
        assertThat(refreshedBeforeRestart).as("the restart happened mid-wave").isLessThan(total);

        Map<String, Integer> calls = AmazonRefreshCalls.byToken(stack.amazon(), roundStart, false);
        assertThat(calls).as("one Amazon refresh per connection, none twice").hasSize((int) total)
                .allSatisfy((token, count) -> assertThat(count).isEqualTo(1));
        assertThat(db.count("SELECT count(*) FROM connections WHERE status <> 'ACTIVE'")).isZero();
        assertThat(db.count("SELECT count(*) FROM connections WHERE lease_expires_at IS NOT NULL")).isZero();
        assertThat(db.count("SELECT count(*) FROM connection_tokens")).isEqualTo(total);
        // no event left behind: the outbox drained, and the refresher group consumed every token-expiring event
        await().atMost(Duration.ofSeconds(30)).until(() -> db.count("SELECT count(*) FROM outbox_events") == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> consumerLag("token-refresher", "amazon.token-expiring") == 0);
        long busyRefreshers = stack.instanceNames().stream().filter(name -> name.startsWith("token-refresher"))
                .filter(name -> refreshedBy(name) > 0).count();
        assertThat(busyRefreshers).as("refreshers that did part of the work").isGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(3)
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

    private static long freshConnections() {
        return db.count("SELECT count(*) FROM connections WHERE status = 'ACTIVE' AND access_token_expires_at > now() + interval '50 minutes'");
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
