package com.adsconnect.testsupport;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.amazon.SandboxConnectFlow;
import com.adsconnect.devinfra.google.SandboxGoogle;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoft;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.devinfra.net.FreePorts;
import com.adsconnect.devinfra.postgres.PostgresServer;
import com.adsconnect.devinfra.process.ServiceProcess;
import com.adsconnect.devinfra.vault.DevKeysets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The real account-service, from its packaged jar (system property {@code account-service.jar}),
 * on its own database, wired to the shared Kafka broker, sandbox Clerk and sandbox Amazon: the
 * backend of the gateway's tests and the other side of every refresh in the refresher's.
 */
public final class AccountServiceProcess implements AutoCloseable {

    public static final String REFRESHER_KEY = "refresher-test-key-" + UUID.randomUUID();
    public static final String READER_KEY = "reader-test-key-" + UUID.randomUUID();

    private static AccountServiceProcess shared;

    public final String tokenExpiringTopic = "t" + UUID.randomUUID().toString().substring(0, 8) + ".token-expiring";
    public final String connectionStatusTopic = "t" + UUID.randomUUID().toString().substring(0, 8) + ".connection-status";
    private final PostgresServer postgres = TestInfrastructure.postgres();
    private final String database = "t_account_" + ProcessHandle.current().pid() + "_" + Integer.toString((int) (Math.random() * 1e6), 36);
    private final int port = FreePorts.pick();
    private final ServiceProcess process;

    /**
     * One instance for the whole test JVM, for tests that only need a backend and do not care
     * what other test classes did to it; stopped when the JVM exits.
     */
    public static synchronized AccountServiceProcess shared() {
        if (shared == null) {
            try {
                shared = new AccountServiceProcess();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start account-service", e);
            }
            AccountServiceProcess started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "account-service-stop"));
        }
        return shared;
    }

    public AccountServiceProcess() throws Exception {
        postgres.ensureDatabase(database);
        SandboxClerk clerk = TestInfrastructure.clerk();
        SandboxAmazon amazon = TestInfrastructure.amazon();
        Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "account-service-" + port));
        Path keyset = Files.writeString(tmp.resolve("keyset.json"), DevKeysets.generate());
        List<String> args = new ArrayList<>(List.of(
                "--database.host=" + postgres.host(), "--database.port=" + postgres.port(), "--database.name=" + database,
                "--database.username=" + postgres.username(),
                "--clerk.issuer=" + clerk.issuer(), "--clerk.authorized-parties=" + SandboxClerk.DEFAULT_AUTHORIZED_PARTY,
                "--amazon.client-id=" + SandboxAmazon.CLIENT_ID, "--amazon.redirect-uri=" + TestInfrastructure.AMAZON_REDIRECT_URI,
                "--kafka.bootstrap-servers=" + TestInfrastructure.kafka().bootstrapServers(),
                "--kafka.topics.token-expiring=" + tokenExpiringTopic, "--kafka.topics.connection-status=" + connectionStatusTopic,
                "--kafka.topics.partitions=4", "--kafka.relay-interval=100ms",
                "--token-vault.scheduler-interval=300ms", "--token-vault.scheduler-initial-delay=1s",
                "--token-vault.failure-backoff=1s",
                "--internal-api.keys[0].name=token-refresher", "--internal-api.keys[0].scopes=refresh:lease",
                "--internal-api.keys[0].sha256=" + sha256(REFRESHER_KEY),
                "--internal-api.keys[1].name=reporting", "--internal-api.keys[1].scopes=tokens:read",
                "--internal-api.keys[1].sha256=" + sha256(READER_KEY)));
        amazon.regionProperties().forEach((key, value) -> args.add("--" + key + "=" + value));
        SandboxGoogle google = TestInfrastructure.google();
        SandboxMicrosoft microsoft = TestInfrastructure.microsoft();
        args.addAll(List.of("--google.client-id=" + SandboxGoogle.CLIENT_ID, "--google.redirect-uri=" + TestInfrastructure.GOOGLE_REDIRECT_URI,
                "--microsoft.client-id=" + SandboxMicrosoft.CLIENT_ID, "--microsoft.redirect-uri=" + TestInfrastructure.MICROSOFT_REDIRECT_URI));
        google.endpointProperties().forEach((key, value) -> args.add("--" + key + "=" + value));
        microsoft.endpointProperties().forEach((key, value) -> args.add("--" + key + "=" + value));
        process = ServiceProcess.start("account-service", Path.of(System.getProperty("account-service.jar")), port, args,
                Map.of("DATABASE_PASSWORD", postgres.password(), "AMAZON_CLIENT_SECRET", SandboxAmazon.CLIENT_SECRET,
                        "GOOGLE_CLIENT_SECRET", SandboxGoogle.CLIENT_SECRET, "GOOGLE_DEVELOPER_TOKEN", SandboxGoogle.DEVELOPER_TOKEN,
                        "MICROSOFT_CLIENT_SECRET", SandboxMicrosoft.CLIENT_SECRET,
                        "MICROSOFT_DEVELOPER_TOKEN", SandboxMicrosoft.DEVELOPER_TOKEN,
                        "TOKEN_VAULT_KEYSET_FILE", "file:" + keyset), tmp);
        process.awaitReady(Duration.ofSeconds(90));
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Connects a sandbox Amazon account for a new user as the front end would; emits the connection id. */
    public String connect(String userId, String region) throws Exception {
        return new SandboxConnectFlow(url()).connect(TestInfrastructure.clerk().sessionToken(userId), region).id();
    }

    /** Connects the sandbox account of {@code google} or {@code microsoft} for the user through the integrations API. */
    public String connectProvider(String userId, String provider) throws Exception {
        return new SandboxConnectFlow(url()).connectProvider(TestInfrastructure.clerk().sessionToken(userId), provider, Map.of()).id();
    }

    /** Re-authorizes the connection (any provider) through the same consent and callback. */
    public String reauthorize(String userId, String connectionId) throws Exception {
        return new SandboxConnectFlow(url()).reauthorizeIntegration(TestInfrastructure.clerk().sessionToken(userId), connectionId).id();
    }

    /** Makes the connection's access token expire soon, so the scheduler claims it. */
    public void expireSoon(String connectionId) {
        sql("UPDATE connections SET access_token_expires_at = now() + interval '2 minutes' WHERE id = ?::uuid", connectionId);
    }

    public String status(String connectionId) {
        return query("SELECT status FROM connections WHERE id = ?::uuid", connectionId);
    }

    /** Seconds the stored access token has left. */
    public long secondsLeft(String connectionId) {
        return Long.parseLong(query("SELECT extract(epoch FROM access_token_expires_at - now())::bigint FROM connections WHERE id = ?::uuid",
                connectionId));
    }

    public String query(String sql, String arg) {
        try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, arg);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void sql(String sql, String arg) {
        try (Connection c = jdbc(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, arg);
            s.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * How many requests outside {@code /actuator} account-service has answered, from its own
     * {@code http.server.requests} metric: what tells a test whether anything reached the backend.
     */
    public long requestsServed() {
        try (HttpClient http = HttpClient.newHttpClient()) {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(url() + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return metrics.lines()
                    .filter(line -> line.startsWith("http_server_requests_seconds_count{") && !line.contains("uri=\"/actuator"))
                    .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read account-service metrics", e);
        }
    }

    private Connection jdbc() throws Exception {
        return DriverManager.getConnection(postgres.jdbcUrl(database), postgres.username(), postgres.password());
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(20));
        postgres.dropDatabase(database);
    }
}
