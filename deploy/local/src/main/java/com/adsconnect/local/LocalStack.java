package com.adsconnect.local;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.amazon.SandboxConnectFlow;
import com.adsconnect.devinfra.google.SandboxGoogle;
import com.adsconnect.devinfra.mail.SandboxMail;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoft;
import com.adsconnect.devinfra.slack.SandboxSlack;
import com.adsconnect.devinfra.tracing.SandboxTraces;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.devinfra.kafka.InProcessKafkaBroker;
import com.adsconnect.devinfra.net.FreePorts;
import com.adsconnect.devinfra.net.TcpProxy;
import com.adsconnect.devinfra.postgres.PostgresLocator;
import com.adsconnect.devinfra.postgres.PostgresServer;
import com.adsconnect.devinfra.process.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command one of the README: the whole system on one machine with embedded defaults, in the
 * foreground until Ctrl-C, which stops everything it started.
 */
public final class LocalStack {

    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
    // several JVMs start at once on a small machine; the multi-instance mode runs seven
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

    private final LocalStackSettings settings;
    private final List<AutoCloseable> infrastructure = new ArrayList<>();
    /** Running service processes by instance name ({@code token-refresher}, or {@code token-refresher-2} with several). */
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final Map<String, InstanceSpec> specs = new LinkedHashMap<>();

    /** What it takes to start one instance again after a test stopped it. */
    private record InstanceSpec(String name, Path jar, int port, List<String> args, Map<String, String> env) {
    }
    private final StaleProcesses staleProcesses;
    private SandboxClerk clerk;
    private Duration startup;
    private SandboxConnectFlow.Result demoConnection;
    private String readerApiKey;
    private String webhookSecret;
    private DevSecrets secrets;
    private SandboxAmazon amazon;
    private SandboxGoogle google;
    private SandboxMicrosoft microsoft;
    private SandboxMail mail;
    private String mailboxUrl;
    private SandboxSlack slack;
    private String demoSlackHook;
    private SandboxTraces traces;
    private SandboxConnectFlow.Result demoGoogleConnection;
    private SandboxConnectFlow.Result demoMicrosoftConnection;
    private PostgresServer postgres;
    private InProcessKafkaBroker kafka;
    private TcpProxy databaseProxy;
    private TcpProxy refresherToAccountServiceProxy;

    /** The user the demo signs in as; the front end's origin serves the Amazon callback page. */
    public static final String DEMO_USER = "user_demo";
    private static final Map<String, Object> DEMO_CLAIMS = Map.of("email", "demo@example.com", "first_name", "Demo");
    private static final String DEMO_REDIRECT_URI = SandboxClerk.DEFAULT_AUTHORIZED_PARTY + "/amazon/callback";
    /** The front end's one callback page for every provider of the integrations API. */
    private static final String INTEGRATIONS_REDIRECT_URI = SandboxClerk.DEFAULT_AUTHORIZED_PARTY + "/integrations/callback";

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

    /**
     * Starts the instances of one service. With several, a balancer on the service's usual port
     * spreads connections over them (unless {@code balanced} is false: consumers take no traffic).
     */
    private void startService(String service, Path jar, List<String> args, Map<String, String> env, boolean balanced) {
        int count = settings.instances().of(service);
        if (count == 1) {
            startInstance(new InstanceSpec(service, jar, settings.basePort(service), List.copyOf(args), env));
            return;
        }
        List<InetSocketAddress> targets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // behind a balancer every instance moves up (+100, +200); without one the first keeps the usual port
            int port = balanced ? settings.instancePort(service, i) : i == 0 ? settings.basePort(service) : settings.instancePort(service, i - 1);
            // arguments for this instance alone (withExtraArguments("account-service-2", ...)) come last and win
            List<String> instanceArgs = new ArrayList<>(args);
            instanceArgs.addAll(settings.extraArgumentsOf(service + "-" + (i + 1)));
            startInstance(new InstanceSpec(service + "-" + (i + 1), jar, port, List.copyOf(instanceArgs), env));
            targets.add(new InetSocketAddress("127.0.0.1", port));
        }
        if (balanced) {
            infrastructure.add(TcpProxy.balancing(settings.basePort(service), targets));
            log.info("{} x{} behind a balancer on :{}", service, count, settings.basePort(service));
        }
    }

    private void startInstance(InstanceSpec spec) {
        specs.put(spec.name(), spec);
        services.put(spec.name(), ServiceProcess.start(spec.name(), spec.jar(), spec.port(), spec.args(), spec.env(), settings.logDir()));
    }

    /** Names of the running service instances, e.g. {@code account-service-1}. */
    public List<String> instanceNames() {
        return List.copyOf(services.keySet());
    }

    /** Base URL of one instance, bypassing any balancer. */
    public String instanceUrl(String name) {
        return "http://127.0.0.1:" + specs.get(name).port();
    }

    private String databaseHost(PostgresServer postgres) {
        return databaseProxy == null ? postgres.host() : databaseProxy.host();
    }

    private int databasePort(PostgresServer postgres) {
        return databaseProxy == null ? postgres.port() : databaseProxy.port();
    }

    /** The proxy between account-service and PostgreSQL (with {@code faultProxies}), to cut the database off. */
    public TcpProxy databaseProxy() {
        return databaseProxy;
    }

    /** The proxy between the refreshers and account-service (with {@code faultProxies}). */
    public TcpProxy refresherToAccountServiceProxy() {
        return refresherToAccountServiceProxy;
    }

    /**
     * The broker, to stop and start it (same ports, same data) as in a Kafka outage; with
     * {@code faultProxies} also to stall it.
     */
    public InProcessKafkaBroker kafka() {
        return kafka;
    }

    /** Kills one instance at once (SIGKILL): no graceful shutdown, in-flight work is lost mid-way. */
    public void killInstance(String name) {
        ServiceProcess process = services.remove(name);
        if (process != null) {
            ProcessHandle.of(process.pid()).ifPresent(handle -> {
                handle.destroyForcibly();
                handle.onExit().join();
            });
        }
    }

    /** Stops one instance gracefully (SIGTERM, as Kubernetes does), as in a rolling restart. */
    public void stopInstance(String name, Duration grace) {
        ServiceProcess process = services.remove(name);
        if (process != null) {
            process.stop(grace);
        }
    }

    /** Starts a stopped instance again with its original settings and waits until it is ready. */
    public void restartInstance(String name) throws InterruptedException {
        startInstance(specs.get(name));
        services.get(name).awaitReady(READY_TIMEOUT);
        staleProcesses.remember(services.values().stream().map(ServiceProcess::pid).toList());
    }

    /** Starts infrastructure and services and returns once every service reports ready. */
    public void start() throws InterruptedException {
        long started = System.nanoTime();
        staleProcesses.stopLeftovers();
        requireFreePorts();
        clearLogs();

        PostgresServer postgres = startPostgres();
        postgres.ensureDatabase(settings.database());
        this.postgres = postgres;

        if (settings.faultProxies()) {
            this.databaseProxy = TcpProxy.start(postgres.host(), postgres.port());
            infrastructure.add(databaseProxy);
        }
        InProcessKafkaBroker kafka = (settings.faultProxies()
                ? InProcessKafkaBroker.stallableAt(settings.workDir().resolve("kafka"), settings.kafkaPort(), FreePorts.pick(),
                        settings.kafkaControllerPort(), 6)
                : InProcessKafkaBroker.at(settings.workDir().resolve("kafka"), settings.kafkaPort(), settings.kafkaControllerPort(), 6))
                .start();
        infrastructure.add(kafka);
        this.kafka = kafka;

        SandboxClerk clerk = SandboxClerk.start(settings.clerkPort(), Duration.ofHours(1));
        infrastructure.add(clerk);
        log.info("sandbox Clerk issuing session tokens at {}", clerk.issuer());
        SandboxAmazon amazon = SandboxAmazon.start(settings.amazonPort(), settings.amazonTokenLifetime());
        infrastructure.add(amazon);
        this.amazon = amazon;
        log.info("sandbox Amazon (Login with Amazon + Ads API) at {}", amazon.baseUrl());
        SandboxGoogle google = SandboxGoogle.start(settings.googlePort(), settings.amazonTokenLifetime());
        infrastructure.add(google);
        this.google = google;
        log.info("sandbox Google (OAuth 2.0 + Google Ads API) at {}", google.baseUrl());
        SandboxMicrosoft microsoft = SandboxMicrosoft.start(settings.microsoftPort(), settings.amazonTokenLifetime());
        infrastructure.add(microsoft);
        this.microsoft = microsoft;
        log.info("sandbox Microsoft (identity platform + Microsoft Advertising) at {}", microsoft.baseUrl());
        SandboxMail mail = SandboxMail.start(settings.smtpPort());
        infrastructure.add(mail);
        this.mail = mail;
        this.mailboxUrl = mail.serveMailbox(settings.mailboxPort());
        log.info("SMTP server (GreenMail) at {}:{}, mailbox page {}", mail.host(), mail.port(), mailboxUrl);
        SandboxSlack slack = SandboxSlack.start(settings.slackPort());
        infrastructure.add(slack);
        this.slack = slack;
        this.demoSlackHook = slack.newHook();
        log.info("sandbox Slack (incoming webhooks) at {}", slack.baseUrl());
        List<String> tracingArgs = new ArrayList<>();
        if (settings.traces()) {
            SandboxTraces traces = SandboxTraces.start(settings.tracesPort());
            infrastructure.add(traces);
            this.traces = traces;
            // every request traced, spans exported within a second (production: 10% sampled, batches every 5 s)
            tracingArgs.addAll(List.of(
                    "--management.opentelemetry.tracing.export.otlp.endpoint=" + traces.endpoint(),
                    "--management.tracing.sampling.probability=1.0",
                    "--management.opentelemetry.tracing.export.schedule-delay=1s"));
            log.info("trace viewer (OTLP/HTTP receiver) at {}", traces.baseUrl());
        }
        DevSecrets secrets = DevSecrets.in(settings.workDir());

        List<String> accountServiceArgs = new ArrayList<>(List.of(
                "--database.host=" + databaseHost(postgres),
                "--database.port=" + databasePort(postgres),
                "--database.name=" + settings.database(),
                "--database.username=" + postgres.username(),
                "--clerk.issuer=" + clerk.issuer(),
                "--clerk.authorized-parties=" + SandboxClerk.DEFAULT_AUTHORIZED_PARTY,
                "--amazon.client-id=" + SandboxAmazon.CLIENT_ID,
                "--amazon.redirect-uri=" + DEMO_REDIRECT_URI,
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--internal-api.keys[0].name=reporting",
                "--internal-api.keys[0].scopes=tokens:read",
                "--internal-api.keys[0].sha256=" + DevSecrets.sha256Hex(secrets.readerApiKey()),
                "--internal-api.keys[1].name=token-refresher",
                "--internal-api.keys[1].scopes=refresh:lease",
                "--internal-api.keys[1].sha256=" + DevSecrets.sha256Hex(secrets.refresherApiKey()),
                "--internal-api.keys[2].name=support",
                "--internal-api.keys[2].scopes=admin:read,admin:write",
                "--internal-api.keys[2].sha256=" + DevSecrets.sha256Hex(secrets.adminApiKey())));
        amazon.regionProperties().forEach((key, value) -> accountServiceArgs.add("--" + key + "=" + value));
        accountServiceArgs.addAll(List.of(
                "--google.client-id=" + SandboxGoogle.CLIENT_ID,
                "--google.redirect-uri=" + INTEGRATIONS_REDIRECT_URI,
                "--microsoft.client-id=" + SandboxMicrosoft.CLIENT_ID,
                "--microsoft.redirect-uri=" + INTEGRATIONS_REDIRECT_URI));
        google.endpointProperties().forEach((key, value) -> accountServiceArgs.add("--" + key + "=" + value));
        microsoft.endpointProperties().forEach((key, value) -> accountServiceArgs.add("--" + key + "=" + value));
        mail.springProperties().forEach((key, value) -> accountServiceArgs.add("--" + key + "=" + value));
        accountServiceArgs.addAll(List.of(
                "--notifications.email.api-base-url=http://localhost:" + settings.gatewayPort(),
                "--notifications.slack.api-base-url=" + slack.baseUrl()));

        accountServiceArgs.addAll(tracingArgs);
        accountServiceArgs.addAll(settings.extraArgumentsOf(LocalStackSettings.ACCOUNT_SERVICE));
        startService(LocalStackSettings.ACCOUNT_SERVICE, settings.accountServiceJar(), accountServiceArgs, Map.of(
                "DATABASE_PASSWORD", postgres.password(),
                "AMAZON_CLIENT_SECRET", SandboxAmazon.CLIENT_SECRET,
                "GOOGLE_CLIENT_SECRET", SandboxGoogle.CLIENT_SECRET,
                "GOOGLE_DEVELOPER_TOKEN", SandboxGoogle.DEVELOPER_TOKEN,
                "MICROSOFT_CLIENT_SECRET", SandboxMicrosoft.CLIENT_SECRET,
                "MICROSOFT_DEVELOPER_TOKEN", SandboxMicrosoft.DEVELOPER_TOKEN,
                "TOKEN_VAULT_KEYSET_FILE", "file:" + secrets.keysetFile(),
                "CLERK_WEBHOOK_SECRET", secrets.webhookSecret(),
                "NOTIFICATIONS_EMAIL_UNSUBSCRIBE_KEY", secrets.unsubscribeKey()), true);

        List<String> gatewayArgs = new ArrayList<>(List.of(
                "--gateway.account-service-url=http://127.0.0.1:" + settings.accountServicePort(),
                "--clerk.issuer=" + clerk.issuer(),
                "--clerk.authorized-parties=" + SandboxClerk.DEFAULT_AUTHORIZED_PARTY));
        if (settings.instances().gateways() > 1) {
            // replicas share each user's budget, as in production
            if (!FreePorts.isListening("127.0.0.1", 6379, 500)) {
                throw new IllegalStateException("several gateways share their rate-limit buckets in Redis, but nothing answers on 127.0.0.1:6379");
            }
            // seven JVMs on a laptop pause now and then: a looser timeout than production's 100 ms
            gatewayArgs.addAll(List.of("--rate-limit.backend=redis", "--rate-limit.redis.url=redis://127.0.0.1:6379",
                    "--rate-limit.redis.timeout=500ms", "--rate-limit.redis.key-prefix=" + settings.database() + ":" + UUID.randomUUID() + ":"));
        }
        gatewayArgs.addAll(tracingArgs);
        gatewayArgs.addAll(settings.extraArgumentsOf(LocalStackSettings.GATEWAY));
        startService(LocalStackSettings.GATEWAY, settings.authGatewayJar(), gatewayArgs, Map.of(), true);

        int refresherToAccountService = settings.accountServicePort();
        if (settings.faultProxies()) {
            this.refresherToAccountServiceProxy = TcpProxy.start("127.0.0.1", settings.accountServicePort());
            infrastructure.add(refresherToAccountServiceProxy);
            refresherToAccountService = refresherToAccountServiceProxy.port();
        }
        List<String> refresherArgs = new ArrayList<>(List.of(
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--account-service.url=http://127.0.0.1:" + refresherToAccountService,
                "--amazon.client-id=" + SandboxAmazon.CLIENT_ID,
                "--google.client-id=" + SandboxGoogle.CLIENT_ID,
                "--google.token-url=" + System.getProperty("local.refresher-google-token-url",
                        google.endpointProperties().get("google.token-url")),
                "--microsoft.client-id=" + SandboxMicrosoft.CLIENT_ID,
                "--microsoft.login-base-url=" + System.getProperty("local.refresher-microsoft-login-base-url",
                        microsoft.endpointProperties().get("microsoft.login-base-url"))));
        // a benchmark may put lighter stubs of the token endpoints (same wire formats) in front of the refresher
        String refresherTokenUrl = System.getProperty("local.refresher-amazon-token-url");
        amazon.regionProperties().forEach((key, value) -> refresherArgs.add("--" + key + "="
                + (refresherTokenUrl != null && key.endsWith(".token-url") ? refresherTokenUrl : value)));
        refresherArgs.addAll(tracingArgs);
        refresherArgs.addAll(settings.extraArgumentsOf(LocalStackSettings.TOKEN_REFRESHER));
        // consumers take no traffic: no balancer in front of several refreshers
        startService(LocalStackSettings.TOKEN_REFRESHER, settings.tokenRefresherJar(), refresherArgs, Map.of(
                "ACCOUNT_SERVICE_API_KEY", secrets.refresherApiKey(),
                "AMAZON_CLIENT_SECRET", SandboxAmazon.CLIENT_SECRET,
                "GOOGLE_CLIENT_SECRET", SandboxGoogle.CLIENT_SECRET,
                "MICROSOFT_CLIENT_SECRET", SandboxMicrosoft.CLIENT_SECRET), false);
        this.readerApiKey = secrets.readerApiKey();
        this.webhookSecret = secrets.webhookSecret();
        this.secrets = secrets;
        staleProcesses.remember(services.values().stream().map(ServiceProcess::pid).toList());

        for (ServiceProcess service : services.values()) {
            service.awaitReady(READY_TIMEOUT);
            log.info("{} ready at {}", service.name(), service.baseUrl());
        }
        this.clerk = clerk;
        this.startup = Duration.ofNanos(System.nanoTime() - started);
        this.demoConnection = new SandboxConnectFlow(gatewayUrl()).connect(clerk.sessionToken(DEMO_USER, DEMO_CLAIMS), "NA");
        log.info("demo: {} connected sandbox Amazon account {} ({})", DEMO_USER, demoConnection.id(), demoConnection.summary());
        String demoSession = clerk.sessionToken(DEMO_USER, DEMO_CLAIMS);
        SandboxConnectFlow flow = new SandboxConnectFlow(gatewayUrl());
        this.demoGoogleConnection = flow.connectProvider(demoSession, "google", Map.of());
        this.demoMicrosoftConnection = flow.connectProvider(demoSession, "microsoft", Map.of());
        log.info("demo: {} connected sandbox Google Ads account {} ({}) and Microsoft Advertising account {} ({})", DEMO_USER,
                demoGoogleConnection.id(), demoGoogleConnection.summary(), demoMicrosoftConnection.id(), demoMicrosoftConnection.summary());
    }

    /** Connects a sandbox Amazon account for the user through the gateway; emits the connection id. */
    public String connectDemoAccount(String userId, String region) throws InterruptedException {
        return new SandboxConnectFlow(gatewayUrl()).connect(clerk.sessionToken(userId), region).id();
    }

    /** The sandbox Amazon of this run, for fault and latency injection. */
    public SandboxAmazon amazon() {
        return amazon;
    }

    /** The sandbox Google of this run. */
    public SandboxGoogle google() {
        return google;
    }

    /** The SMTP server of this run: every email the services send lands here. */
    public SandboxMail mail() {
        return mail;
    }

    /** The trace viewer of this run (with {@code traces}): every service's spans land here; null without. */
    public SandboxTraces traces() {
        return traces;
    }

    /** The sandbox Slack of this run: posts to users' incoming webhooks land here. */
    public SandboxSlack slack() {
        return slack;
    }

    /** The sandbox Microsoft of this run. */
    public SandboxMicrosoft microsoft() {
        return microsoft;
    }

    /** The Google and Microsoft connections the demo made for {@value #DEMO_USER} at start. */
    public List<SandboxConnectFlow.Result> demoIntegrations() {
        return List.of(demoGoogleConnection, demoMicrosoftConnection);
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

    /** The support key ({@code admin:read}, {@code admin:write}) for the admin API. */
    public String adminApiKey() {
        return secrets.adminApiKey();
    }

    /** The Svix secret account-service verifies Clerk webhooks with, to play Clerk. */
    public String webhookSecret() {
        return webhookSecret;
    }

    /**
     * Every secret of this run that must never appear in a log: the service API keys, the webhook
     * secret, the providers' client secrets and developer tokens and the vault keyset's key material.
     */
    public List<String> secretsNeverLogged() {
        List<String> values = new ArrayList<>(List.of(secrets.readerApiKey(), secrets.refresherApiKey(), secrets.adminApiKey(),
                secrets.webhookSecret(),
                secrets.unsubscribeKey(), demoSlackHook.substring(demoSlackHook.lastIndexOf('/') + 1),
                SandboxAmazon.CLIENT_SECRET, SandboxGoogle.CLIENT_SECRET, SandboxGoogle.DEVELOPER_TOKEN, SandboxMicrosoft.CLIENT_SECRET,
                SandboxMicrosoft.DEVELOPER_TOKEN));
        try {
            var keyMaterial = Pattern.compile("\"value\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(Files.readString(secrets.keysetFile()));
            while (keyMaterial.find()) {
                values.add(keyMaterial.group(1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return values;
    }

    /** The token vault's dev keyset (Tink JSON) of this run, for tools that write encrypted rows themselves. */
    public Path vaultKeysetFile() {
        return secrets.keysetFile();
    }

    /** The folder the services' logs are written to. */
    public Path logDir() {
        return settings.logDir();
    }

    public String kafkaBootstrapServers() {
        return "127.0.0.1:" + settings.kafkaPort();
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
        Map<String, Long> pids = new LinkedHashMap<>();
        services.values().forEach(service -> pids.put(service.name(), service.pid()));
        return pids;
    }

    public String tokenRefresherUrl() {
        return "http://localhost:" + settings.tokenRefresherPort();
    }

    /** Pids of the service processes, so a caller can check that none outlives {@link #stop()}. */
    public List<Long> servicePids() {
        return services.values().stream().map(ServiceProcess::pid).toList();
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

    /** Service logs are appended across restarts within a run, and start empty with each run. */
    private void clearLogs() {
        try (var logs = Files.list(settings.logDir())) {
            for (Path log : logs.filter(file -> file.toString().endsWith(".log")).toList()) {
                Files.delete(log);
            }
        } catch (NoSuchFileException none) {
            // first run
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + settings.logDir(), e);
        }
    }

    private void requireFreePorts() {
        Map<String, Integer> ports = Map.ofEntries(
                Map.entry("auth-gateway", settings.gatewayPort()),
                Map.entry("account-service", settings.accountServicePort()),
                Map.entry("token-refresher", settings.tokenRefresherPort()),
                Map.entry("sandbox Clerk", settings.clerkPort()),
                Map.entry("sandbox Amazon", settings.amazonPort()),
                Map.entry("SMTP server", settings.smtpPort()),
                Map.entry("mailbox page", settings.mailboxPort()),
                Map.entry("sandbox Slack", settings.slackPort()),
                Map.entry("trace viewer", settings.tracesPort()),
                Map.entry("Kafka", settings.kafkaPort()),
                Map.entry("Kafka controller", settings.kafkaControllerPort()));
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

                 gateway (public API)   %s   (its OpenAPI document: /openapi/public.yaml)
                 account-service        http://localhost:%d   (direct; the front end uses the gateway)
                 token-refresher        http://localhost:%d/actuator/health
                 sandbox Clerk          %s   (JWKS: %s)
                 sandbox Amazon         %s   (LWA + Ads API; faults: POST /sandbox/faults)
                 sandbox Google         %s   (OAuth 2.0 + Google Ads API; faults: POST /sandbox/faults)
                 sandbox Microsoft      %s   (identity platform + Microsoft Advertising; same)
                 mail (SMTP)            %s:%d   every email sent; read them at %s
                 sandbox Slack          %s   (incoming webhooks; what it got: GET /__admin/requests)
                 traces                 %s
                 Kafka                  127.0.0.1:%d
                 logs                   %s
                %s
                 The demo signed in as user_demo and connected a sandbox Amazon account in NA
                 (connection %s: %s), a Google Ads account (%s) and a
                 Microsoft Advertising account (%s).

                 Try it (a session token for user_demo, valid 1 hour):

                   export TOKEN='%s'
                   curl -s -H "Authorization: Bearer $TOKEN" %s/api/v1/me
                   curl -s -H "Authorization: Bearer $TOKEN" %s/api/v1/integrations
                   curl -s -H "Authorization: Bearer $TOKEN" %s/api/v1/integrations/providers

                 An internal service's view (service API key with tokens:read; not via the gateway):

                   curl -s -H 'X-Api-Key: %s' -H 'Content-Type: application/json' \\
                     -d '{"userId":"user_demo","connectionId":"%s"}' http://localhost:%d/internal/v1/tokens

                 Notifications: user_demo's email (demo@example.com) is in the mailbox page above.
                 Alerts to Slack too (posts land in the sandbox Slack):

                   curl -s -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
                     -d '{"url":"%s"}' %s/api/v1/me/preferences/slack-webhook
                   curl -s -X PATCH -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/merge-patch+json' \\
                     -d '{"notifications":{"channels":{"slack":true}}}' %s/api/v1/me/preferences
                   curl -s -H "Authorization: Bearer $TOKEN" %s/api/v1/me/dashboard

                 Support's view (admin API, key with admin:read and admin:write; not via the gateway):

                   curl -s -H 'X-Api-Key: %s' 'http://localhost:%d/internal/v1/admin/users?email=demo@example.com'
                   curl -s -H 'X-Api-Key: %s' 'http://localhost:%d/internal/v1/admin/connections/%s'

                 A token for any user id:

                   curl -s '%s/sandbox/dev-token?user_id=user_alice&email=alice@example.com'
                ================================================================================

                """,
                startup.toSeconds(), gateway, settings.accountServicePort(), settings.tokenRefresherPort(),
                clerk.issuer(), clerk.jwksUrl(), "http://127.0.0.1:" + settings.amazonPort(), google.baseUrl(), microsoft.baseUrl(),
                mail.host(), mail.port(), mailboxUrl, slack.baseUrl(), tracesLine(), settings.kafkaPort(), settings.logDir(), instancesLine(), demoConnection.id(), demoConnection.summary(),
                demoGoogleConnection.id(), demoMicrosoftConnection.id(), token, gateway, gateway, gateway,
                readerApiKey, demoConnection.id(), settings.accountServicePort(), demoSlackHook, gateway, gateway, gateway,
                secrets.adminApiKey(), settings.accountServicePort(), secrets.adminApiKey(), settings.accountServicePort(),
                demoConnection.id(), clerk.issuer());
        System.out.flush();
    }

    private String tracesLine() {
        return traces == null ? "off (-Dlocal.traces=false); to export, set management.opentelemetry.tracing.export.otlp.endpoint"
                : traces.baseUrl() + "   (every request's trace; OTLP/HTTP in at " + traces.endpoint() + ")";
    }

    private String instancesLine() {
        if (services.size() == 3) {
            return "";
        }
        return " instances              " + specs.values().stream().map(spec -> spec.name() + " :" + spec.port())
                .collect(Collectors.joining(", ")) + "\n                 (gateways and account-services behind balancers on their usual ports)\n";
    }

    /** Stops the services gracefully, then the infrastructure; safe to call more than once. */
    public synchronized void stop() {
        log.info("stopping the local stack");
        // the services first, so that nothing is cut off from its database or broker mid-request
        services.values().parallelStream().forEach(service -> service.stop(Duration.ofSeconds(30)));
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
