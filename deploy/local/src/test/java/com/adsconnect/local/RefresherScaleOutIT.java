package com.adsconnect.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.amazon.SandboxAmazonFault;
import com.adsconnect.devinfra.amazon.SandboxConnectFlow;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.devinfra.kafka.InProcessKafkaBroker;
import com.adsconnect.devinfra.net.FreePorts;
import com.adsconnect.devinfra.postgres.PostgresLocator;
import com.adsconnect.devinfra.postgres.PostgresServer;
import com.adsconnect.devinfra.process.ServiceProcess;
import com.adsconnect.devinfra.vault.DevKeysets;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two token-refresher processes in one consumer group against the packaged account-service:
 * they split the partitions and refresh each connection exactly once; one is killed (SIGKILL)
 * mid-refresh and restarted, and no connection is left stuck or without its token.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RefresherScaleOutIT {

    private static final int CONNECTIONS = 40;
    private static final String DATABASE = "refresher_scale_out_it";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private static PostgresServer postgres;
    private static InProcessKafkaBroker kafka;
    private static SandboxClerk clerk;
    private static SandboxAmazon amazon;
    private static ServiceProcess accountService;
    private static final ServiceProcess[] refreshers = new ServiceProcess[2];
    private static final int[] refresherPorts = {FreePorts.pick(), FreePorts.pick()};
    private static final List<String> connectionIds = new ArrayList<>();
    private static Path work;
    private static String accountServiceUrl;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "refresher-scale-out"));
        postgres = PostgresLocator.findRunning().orElseThrow();
        postgres.dropDatabase(DATABASE);
        postgres.ensureDatabase(DATABASE);
        kafka = InProcessKafkaBroker.create(work, 4).start();
        clerk = SandboxClerk.start(Duration.ofHours(1));
        amazon = SandboxAmazon.start(0, Duration.ofHours(1));
        Path keyset = Files.writeString(work.resolve("keyset.json"), DevKeysets.generate());
        int port = FreePorts.pick();
        accountServiceUrl = "http://127.0.0.1:" + port;
        List<String> args = new ArrayList<>(List.of(
                "--database.host=" + postgres.host(), "--database.port=" + postgres.port(), "--database.name=" + DATABASE,
                "--database.username=" + postgres.username(),
                "--clerk.issuer=" + clerk.issuer(), "--clerk.authorized-parties=" + SandboxClerk.DEFAULT_AUTHORIZED_PARTY,
                "--amazon.client-id=" + SandboxAmazon.CLIENT_ID, "--amazon.redirect-uri=http://localhost:3000/amazon/callback",
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--kafka.topics.partitions=8", "--kafka.relay-interval=100ms",
                "--token-vault.scheduler-interval=500ms", "--token-vault.lease-duration=8s",
                "--internal-api.keys[0].name=token-refresher", "--internal-api.keys[0].scopes=refresh:lease",
                "--internal-api.keys[0].sha256=" + DevSecrets.sha256Hex("it-refresher-key")));
        amazon.regionProperties().forEach((key, value) -> args.add("--" + key + "=" + value));
        accountService = ServiceProcess.start("account-service", jar("account-service"), port, args,
                Map.of("DATABASE_PASSWORD", postgres.password(), "AMAZON_CLIENT_SECRET", SandboxAmazon.CLIENT_SECRET,
                        "TOKEN_VAULT_KEYSET_FILE", "file:" + keyset), work);
        accountService.awaitReady(Duration.ofSeconds(90));
        for (int i = 0; i < 2; i++) {
            refreshers[i] = startRefresher(i);
        }
        for (ServiceProcess refresher : refreshers) {
            refresher.awaitReady(Duration.ofSeconds(90));
        }
        for (int i = 0; i < CONNECTIONS; i++) {
            connectionIds.add(new SandboxConnectFlow(accountServiceUrl)
                    .connect(clerk.sessionToken("user_scale_" + i), i % 3 == 0 ? "EU" : "NA").id());
        }
    }

    private static ServiceProcess startRefresher(int index) {
        List<String> args = new ArrayList<>(List.of(
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--account-service.url=" + accountServiceUrl,
                "--amazon.client-id=" + SandboxAmazon.CLIENT_ID,
                "--refresher.per-partition-concurrency=2",
                "--refresher.commit-interval=200ms"));
        amazon.regionProperties().forEach((key, value) -> {
            if (key.endsWith("token-url")) {
                args.add("--" + key + "=" + value);
            }
        });
        return ServiceProcess.start("token-refresher-" + index, jar("token-refresher"), refresherPorts[index], args,
                Map.of("ACCOUNT_SERVICE_API_KEY", "it-refresher-key", "AMAZON_CLIENT_SECRET", SandboxAmazon.CLIENT_SECRET), work);
    }

    @AfterAll
    static void stop() {
        for (ServiceProcess refresher : refreshers) {
            if (refresher != null) {
                refresher.stop(Duration.ofSeconds(20));
            }
        }
        if (accountService != null) {
            accountService.stop(Duration.ofSeconds(20));
        }
        if (amazon != null) {
            amazon.close();
        }
        if (clerk != null) {
            clerk.close();
        }
        if (kafka != null) {
            kafka.stop();
        }
    }

    @Test
    @Order(1)
    void twoRefreshersSplitTheWorkAndRefreshEachConnectionExactlyOnce() throws Exception {
        int before = refreshCallsByToken().values().stream().mapToInt(Integer::intValue).sum();
        sql("UPDATE connections SET access_token_expires_at = now() + interval '2 minutes'");

        await().atMost(Duration.ofSeconds(60)).until(() -> freshConnections() == CONNECTIONS);

        Map<String, Integer> calls = refreshCallsByToken();
        assertThat(calls.values().stream().mapToInt(Integer::intValue).sum() - before).isEqualTo(CONNECTIONS);
        assertThat(calls).hasSize(CONNECTIONS).allSatisfy((token, count) -> assertThat(count).isEqualTo(1));
        for (int port : refresherPorts) {
            assertThat(refreshedBy(port)).as("refresher on port %d did some of the work", port).isPositive();
        }
    }

    @Test
    @Order(2)
    void aRefresherKilledMidRefreshLeavesNothingStuck() throws Exception {
        // every refresh now takes 1.5 s at Amazon, so the kill lands while refreshes are in flight
        amazon.failNext(SandboxAmazon.Endpoint.TOKEN, CONNECTIONS * 2, new SandboxAmazonFault.Latency(Duration.ofMillis(1500)));
        sql("UPDATE connections SET access_token_expires_at = now() + interval '2 minutes'");
        Thread.sleep(2_000);

        ProcessHandle.of(refreshers[0].pid()).ifPresent(ProcessHandle::destroyForcibly);
        Thread.sleep(2_000);
        refreshers[0] = startRefresher(0);
        refreshers[0].awaitReady(Duration.ofSeconds(90));

        await().atMost(Duration.ofSeconds(120)).until(() -> freshConnections() == CONNECTIONS);
        assertThat(count("SELECT count(*) FROM connections WHERE status <> 'ACTIVE'")).isZero();
        assertThat(count("SELECT count(*) FROM connection_tokens")).isEqualTo(CONNECTIONS);
        assertThat(count("SELECT count(*) FROM connections WHERE lease_expires_at IS NOT NULL")).isZero();
    }

    private static long freshConnections() {
        return count("SELECT count(*) FROM connections WHERE status = 'ACTIVE' AND access_token_expires_at > now() + interval '50 minutes'");
    }

    /** Amazon refresh calls per refresh token (one token per connection). */
    private static Map<String, Integer> refreshCallsByToken() {
        Pattern token = Pattern.compile("refresh_token=([^&]+)");
        return amazon.wireMock().getAllServeEvents().stream()
                .map(ServeEvent::getRequest)
                .filter(request -> request.getUrl().endsWith("/auth/o2/token") && request.getBodyAsString().contains("grant_type=refresh_token"))
                .map(request -> {
                    Matcher matcher = token.matcher(request.getBodyAsString());
                    return matcher.find() ? URLDecoder.decode(matcher.group(1), StandardCharsets.UTF_8) : "?";
                })
                .collect(Collectors.toMap(t -> t, t -> 1, Integer::sum));
    }

    private static long refreshedBy(int port) throws Exception {
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher matcher = Pattern.compile("refresher_refreshes_total\\{[^}]*outcome=\"refreshed\"[^}]*} ([0-9.E]+)").matcher(metrics);
        double total = 0;
        while (matcher.find()) {
            total += Double.parseDouble(matcher.group(1));
        }
        return (long) total;
    }




    private static long count(String sql) {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), postgres.username(), postgres.password());
                Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sql(String sql) {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), postgres.username(), postgres.password());
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path jar(String service) {
        return Path.of(System.getProperty("local.jar." + service));
    }
}
