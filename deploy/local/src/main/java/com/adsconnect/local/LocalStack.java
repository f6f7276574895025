package com.adsconnect.local;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.amazon.SandboxConnectFlow;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.devinfra.kafka.InProcessKafkaBroker;
import com.adsconnect.devinfra.net.FreePorts;
import com.adsconnect.devinfra.process.ServiceProcess;
import com.adsconnect.devinfra.postgres.PostgresLocator;
import com.adsconnect.devinfra.postgres.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command one of the README: the whole system on one machine with embedded defaults, in the
 * foreground until Ctrl-C, which stops everything it started.
 */
public final class LocalStack {

    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final LocalStackSettings settings;
    private final List<AutoCloseable> infrastructure = new ArrayList<>();
    private final List<ServiceProcess> services = new ArrayList<>();
    private final StaleProcesses staleProcesses;
    private SandboxClerk clerk;
    private Duration startup;
    private SandboxConnectFlow.Result demoConnection;
    private String readerApiKey;
    private SandboxAmazon amazon;
    private PostgresServer postgres;

    /** The user the demo signs in as; the front end's origin serves the Amazon callback page. */
    public static final String DEMO_USER = "user_demo";
    private static final Map<String, Object> DEMO_CLAIMS = Map.of("email", "demo@example.com", "first_name", "Demo");
    private static final String DEMO_REDIRECT_URI = SandboxClerk.DEFAULT_AUTHORIZED_PARTY + "/amazon/callback";

    public LocalStack(LocalStackSettings settings) {
        this.settings = settings;
        this.staleProcesses = new StaleProcesses(settings.workDir());
    }

    public static void main(String[] args) throws Exception {
        LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.stop();
            stopped.countDown();
        }, "local-stack-stop"));
        try {
            stack.start();
            stack.printWelcome();
        } catch (Exception e) {
            log.error("local stack failed to start: {}", e.getMessage());
            System.exit(1);
        }
        stopped.await();
    }

    /** More command-line arguments for one service, e.g. {@code -Dlocal.gateway-args="--rate-limit.backend=redis"}. */
    private static List<String> extraArguments(String property) {
        String extra = System.getProperty(property, "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    /** Starts infrastructure and services and returns once every service reports ready. */
    public void start() throws InterruptedException {
        long started = System.nanoTime();
        staleProcesses.stopLeftovers();
        requireFreePorts();

        PostgresServer postgres = startPostgres();
        postgres.ensureDatabase(settings.database());
        this.postgres = postgres;

        InProcessKafkaBroker kafka = InProcessKafkaBroker.at(settings.workDir().resolve("kafka"),
                settings.kafkaPort(), settings.kafkaControllerPort(), 6).start();
        infrastructure.add(kafka);

        SandboxClerk clerk = SandboxClerk.start(settings.clerkPort(), Duration.ofHours(1));
        infrastructure.add(clerk);
        log.info("sandbox Clerk issuing session tokens at {}", clerk.issuer());
        SandboxAmazon amazon = SandboxAmazon.start(settings.amazonPort(), settings.amazonTokenLifetime());
        infrastructure.add(amazon);
        this.amazon = amazon;
        log.info("sandbox Amazon (Login with Amazon + Ads API) at {}", amazon.baseUrl());
        DevSecrets secrets = DevSecrets.in(settings.workDir());

        List<String> accountServiceArgs = new ArrayList<>(List.of(
                "--database.host=" + postgres.host(),
                "--database.port=" + postgres.port(),
                "--database.name=" + settings.database(),
                "--database.username=" + postgres.username(),
                "--clerk.issuer=" + clerk.issuer(),
                "--clerk.authorized-parties=" + SandboxClerk.DEFAULT_AUTHORIZED_PARTY,
                "--amazon.client-id=" + SandboxAmazon.CLIENT_ID,
                "--amazon.redirect-uri=" + DEMO_REDIRECT_URI,
                "--amazon.pkce=true",
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--internal-api.keys[0].name=reporting",
                "--internal-api.keys[0].scopes=tokens:read",
                "--internal-api.keys[0].sha256=" + DevSecrets.sha256Hex(secrets.readerApiKey()),
                "--internal-api.keys[1].name=token-refresher",
                "--internal-api.keys[1].scopes=refresh:lease",
                "--internal-api.keys[1].sha256=" + DevSecrets.sha256Hex(secrets.refresherApiKey())));
        amazon.regionProperties().forEach((key, value) -> accountServiceArgs.add("--" + key + "=" + value));

        services.add(ServiceProcess.start("account-service", settings.accountServiceJar(), settings.accountServicePort(),
                accountServiceArgs, Map.of(
                        "DATABASE_PASSWORD", postgres.password(),
                        "AMAZON_CLIENT_SECRET", SandboxAmazon.CLIENT_SECRET,
                        "TOKEN_VAULT_KEYSET_FILE", "file:" + secrets.keysetFile(),
                        "CLERK_WEBHOOK_SECRET", secrets.webhookSecret()), settings.logDir()));
        List<String> gatewayArgs = new ArrayList<>(List.of(
                "--gateway.account-service-url=http://127.0.0.1:" + settings.accountServicePort(),
                "--clerk.issuer=" + clerk.issuer(),
                "--clerk.authorized-parties=" + SandboxClerk.DEFAULT_AUTHORIZED_PARTY));
        gatewayArgs.addAll(extraArguments("local.gateway-args"));
        services.add(ServiceProcess.start("auth-gateway", settings.authGatewayJar(), settings.gatewayPort(), gatewayArgs, settings.logDir()));
        List<String> refresherArgs = new ArrayList<>(List.of(
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--account-service.url=http://127.0.0.1:" + settings.accountServicePort(),
                "--amazon.client-id=" + SandboxAmazon.CLIENT_ID));
        amazon.regionProperties().forEach((key, value) -> refresherArgs.add("--" + key + "=" + value));
        refresherArgs.addAll(extraArguments("local.refresher-args"));
        services.add(ServiceProcess.start("token-refresher", settings.tokenRefresherJar(), settings.tokenRefresherPort(),
                refresherArgs, Map.of(
                        "ACCOUNT_SERVICE_API_KEY", secrets.refresherApiKey(),
                        "AMAZON_CLIENT_SECRET", SandboxAmazon.CLIENT_SECRET), settings.logDir()));
        this.readerApiKey = secrets.readerApiKey();
        staleProcesses.remember(services.stream().map(ServiceProcess::pid).toList());

        for (ServiceProcess service : services) {
            service.awaitReady(READY_TIMEOUT);
            log.info("{} ready at {}", service.name(), service.baseUrl());
        }
        this.clerk = clerk;
        this.startup = Duration.ofNanos(System.nanoTime() - started);
        this.demoConnection = new SandboxConnectFlow(gatewayUrl()).connect(clerk.sessionToken(DEMO_USER, DEMO_CLAIMS), "NA");
        log.info("demo: {} connected sandbox Amazon account {} ({})", DEMO_USER, demoConnection.id(), demoConnection.summary());
    }

    /** Connects a sandbox Amazon account for the user through the gateway; emits the connection id. */
    public String connectDemoAccount(String userId, String region) throws InterruptedException {
        return new SandboxConnectFlow(gatewayUrl()).connect(clerk.sessionToken(userId), region).id();
    }

    /** The sandbox Amazon of this run, for fault and latency injection. */
    public SandboxAmazon amazon() {
        return amazon;
    }

    /** The PostgreSQL server and database of this run. */
    public String jdbcUrl() {
        return postgres.jdbcUrl(settings.database());
    }

    public PostgresServer postgres() {
        return postgres;
    }

    /** A service API key with {@code tokens:read}, as internal services hold one. */
    public String readerApiKey() {
        return readerApiKey;
    }

    public String accountServiceUrl() {
        return "http://localhost:" + settings.accountServicePort();
    }

    /** The Amazon connection the demo made for {@value #DEMO_USER} at start. */
    public SandboxConnectFlow.Result demoConnection() {
        return demoConnection;
    }

    /** The sandbox Clerk of this run, for minting session tokens. */
    public SandboxClerk clerk() {
        return clerk;
    }

    public String gatewayUrl() {
        return "http://localhost:" + settings.gatewayPort();
    }

    /** How long {@link #start()} took until every service was ready. */
    public Duration startupTime() {
        return startup;
    }

    /** Pids of the service processes by service name. */
    public Map<String, Long> servicePidsByName() {
        Map<String, Long> pids = new java.util.LinkedHashMap<>();
        services.forEach(service -> pids.put(service.name(), service.pid()));
        return pids;
    }

    public String tokenRefresherUrl() {
        return "http://localhost:" + settings.tokenRefresherPort();
    }

    /** Pids of the service processes, so a caller can check that none outlives {@link #stop()}. */
    public List<Long> servicePids() {
        return services.stream().map(ServiceProcess::pid).toList();
    }

    private PostgresServer startPostgres() {
        return PostgresLocator.findRunning()
                .map(server -> {
                    log.info("using PostgreSQL at {}:{} (database {})", server.host(), server.port(), settings.database());
                    return server;
                })
                .orElseGet(() -> {
                    log.info("no PostgreSQL on 127.0.0.1:5432; starting an embedded one (data kept in {})",
                            settings.workDir().resolve("pgdata"));
                    var embedded = PostgresLocator.startEmbedded(settings.workDir().resolve("pgdata"), true);
                    infrastructure.add(embedded);
                    return embedded.server();
                });
    }

    private void requireFreePorts() {
        Map<String, Integer> ports = Map.of(
                "auth-gateway", settings.gatewayPort(),
                "account-service", settings.accountServicePort(),
                "token-refresher", settings.tokenRefresherPort(),
                "sandbox Clerk", settings.clerkPort(),
                "sandbox Amazon", settings.amazonPort(),
                "Kafka", settings.kafkaPort(),
                "Kafka controller", settings.kafkaControllerPort());
        ports.forEach((what, port) -> {
            if (FreePorts.isListening("127.0.0.1", port, 300)) {
                throw new IllegalStateException("port " + port + " for " + what
                        + " is taken; stop whatever holds it or choose another with -Dlocal.*-port");
            }
        });
    }

    private void printWelcome() {
        String token = clerk.sessionToken(DEMO_USER, DEMO_CLAIMS);
        String gateway = "http://localhost:" + settings.gatewayPort();
        System.out.printf("""

                ================================================================================
                 ads-connect is running (started in %d s). Ctrl-C stops everything.

                 gateway (public API)   %s
                 account-service        http://localhost:%d   (direct; the front end uses the gateway)
                 token-refresher        http://localhost:%d/actuator/health
                 sandbox Clerk          %s   (JWKS: %s)
                 sandbox Amazon         %s   (LWA + Ads API; faults: POST /sandbox/faults)
                 Kafka                  127.0.0.1:%d
                 logs                   %s

                 The demo signed in as user_demo and connected a sandbox Amazon account in NA
                 (connection %s: %s).

                 Try it (a session token for user_demo, valid 1 hour):

                   export TOKEN='%s'
                   curl -s -H "Authorization: Bearer $TOKEN" %s/api/v1/me
                   curl -s -H "Authorization: Bearer $TOKEN" %s/api/v1/amazon/connections

                 An internal service's view (service API key with tokens:read; not via the gateway):

                   curl -s -H 'X-Api-Key: %s' -H 'Content-Type: application/json' \\
                     -d '{"userId":"user_demo","connectionId":"%s"}' http://localhost:%d/internal/v1/tokens

                 A token for any user id:

                   curl -s '%s/sandbox/dev-token?user_id=user_alice&email=alice@example.com'
                ================================================================================

                """,
                startup.toSeconds(), gateway, settings.accountServicePort(), settings.tokenRefresherPort(),
                clerk.issuer(), clerk.jwksUrl(), "http://127.0.0.1:" + settings.amazonPort(), settings.kafkaPort(),
                settings.logDir(), demoConnection.id(), demoConnection.summary(), token, gateway, gateway,
                readerApiKey, demoConnection.id(), settings.accountServicePort(), clerk.issuer());
        System.out.flush();
    }

    /** Stops the services gracefully, then the infrastructure; safe to call more than once. */
    public synchronized void stop() {
        log.info("stopping the local stack");
        // the services first, so that nothing is cut off from its database or broker mid-request
        services.parallelStream().forEach(service -> service.stop(Duration.ofSeconds(30)));
        services.clear();
        staleProcesses.forget();
        for (int i = infrastructure.size() - 1; i >= 0; i--) {
            try {
                infrastructure.get(i).close();
            } catch (Exception e) {
                log.warn("could not stop {}: {}", infrastructure.get(i).getClass().getSimpleName(), e.getMessage());
            }
        }
        infrastructure.clear();
        log.info("local stack stopped");
    }
}
