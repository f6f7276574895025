package com.adsconnect.local;

import com.adsconnect.devinfra.net.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ports, paths and jars of a local run. Every value can be changed with a system property
 * ({@code -Dlocal.gateway-port=18080}) or the matching env var ({@code LOCAL_GATEWAY_PORT}).
 *
 * <p>{@code instances} runs several processes of a service ({@code -Dlocal.instances=2,2,3}: gateways,
 * account-services, refreshers). A service with more than one instance gets a round-robin TCP
 * balancer on its usual port, like a Kubernetes Service, and its instances listen on the port plus
 * 100, 200, ... {@code extraArguments} are more command-line arguments per service
 * ({@code -Dlocal.gateway-args}, {@code -Dlocal.account-service-args}, {@code -Dlocal.refresher-args}).
 * {@code traces} starts the trace viewer and has every service trace every request and export its
 * spans there ({@code -Dlocal.traces=false} leaves tracing as production has it: 10% sampled, not
 * exported).
 */
public record LocalStackSettings(
        Path workDir,
        String database,
        int gatewayPort,
        int accountServicePort,
        int tokenRefresherPort,
        int clerkPort,
        int amazonPort,
        Duration amazonTokenLifetime,
        int kafkaPort,
        int kafkaControllerPort,
        Path accountServiceJar,
        Path authGatewayJar,
        Path tokenRefresherJar,
        Instances instances,
        Map<String, List<String>> extraArguments,
        boolean pickFreePorts,
        boolean faultProxies,
        boolean traces) {

    public static final String GATEWAY = "auth-gateway";
    public static final String ACCOUNT_SERVICE = "account-service";
    public static final String TOKEN_REFRESHER = "token-refresher";

    /** How many processes of each service run. */
    public record Instances(int gateways, int accountServices, int refreshers) {

        public static final Instances ONE_EACH = new Instances(1, 1, 1);

        public Instances {
            if (gateways < 1 || accountServices < 1 || refreshers < 1) {
                throw new IllegalArgumentException("every service needs at least one instance");
            }
        }

        public int of(String service) {
            return switch (service) {
                case GATEWAY -> gateways;
                case ACCOUNT_SERVICE -> accountServices;
                case TOKEN_REFRESHER -> refreshers;
                default -> throw new IllegalArgumentException(service);
            };
        }

        static Instances parse(String value) {
            String[] counts = value.split(",");
            if (counts.length != 3) {
                throw new IllegalArgumentException("local.instances is gateways,account-services,refreshers, e.g. 2,2,3");
            }
            return new Instances(Integer.parseInt(counts[0].trim()), Integer.parseInt(counts[1].trim()), Integer.parseInt(counts[2].trim()));
        }
    }

    /** Settings on free ports, for tests that must not collide with a developer's running stack. */
    public static LocalStackSettings onFreePorts(Path workDir, Path accountServiceJar, Path authGatewayJar, Path tokenRefresherJar) {
        // a fresh folder per run: a broker's data from an earlier run must not feed old events into this one
        return new LocalStackSettings(workDir.toAbsolutePath().resolve("run-" + java.util.UUID.randomUUID()), "local_stack_it", FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
                FreePorts.pick(), FreePorts.pick(), Duration.ofHours(1), FreePorts.pick(), FreePorts.pick(),
                accountServiceJar, authGatewayJar, tokenRefresherJar, Instances.ONE_EACH, Map.of(), true, false, false);
    }

    public static LocalStackSettings fromEnvironment() {
        Path workDir = Path.of(setting("local.work-dir", ".local-run")).toAbsolutePath();
        return new LocalStackSettings(
                workDir,
                setting("local.database", "ads_connect"),
                port("local.gateway-port", 8080),
                port("local.account-service-port", 8081),
                port("local.token-refresher-port", 8082),
                port("local.clerk-port", 8090),
                port("local.amazon-port", 8091),
                Duration.parse(setting("local.amazon-token-lifetime", "PT1H")),
                port("local.kafka-port", 9092),
                port("local.kafka-controller-port", 9093),
                Path.of(setting("local.jar.account-service", "account-service/target/account-service.jar")),
                Path.of(setting("local.jar.auth-gateway", "auth-gateway/target/auth-gateway.jar")),
                Path.of(setting("local.jar.token-refresher", "token-refresher/target/token-refresher.jar")),
                Instances.parse(setting("local.instances", "1,1,1")),
                Map.of(GATEWAY, arguments("local.gateway-args"),
                        ACCOUNT_SERVICE, arguments("local.account-service-args"),
                        TOKEN_REFRESHER, arguments("local.refresher-args")),
                false, false, Boolean.parseBoolean(setting("local.traces", "true")));
    }

    public LocalStackSettings withDatabase(String name) {
        return new LocalStackSettings(workDir, name, gatewayPort, accountServicePort, tokenRefresherPort, clerkPort, amazonPort,
                amazonTokenLifetime, kafkaPort, kafkaControllerPort, accountServiceJar, authGatewayJar, tokenRefresherJar,
                instances, extraArguments, pickFreePorts, faultProxies, traces);
    }

    /**
     * Links that tests can break go through TCP proxies: account-service to PostgreSQL (cut, as in
     * a database restart), every client to Kafka (cut or stalled, as in a broker that hangs), and
     * the refreshers to account-service (cut, as in a network partition between them).
     */
    public LocalStackSettings withFaultProxies() {
        return new LocalStackSettings(workDir, database, gatewayPort, accountServicePort, tokenRefresherPort, clerkPort, amazonPort,
                amazonTokenLifetime, kafkaPort, kafkaControllerPort, accountServiceJar, authGatewayJar, tokenRefresherJar,
                instances, extraArguments, pickFreePorts, true, traces);
    }

    /** With the trace viewer, every request traced and its spans exported there. */
    public LocalStackSettings withTraces() {
        return new LocalStackSettings(workDir, database, gatewayPort, accountServicePort, tokenRefresherPort, clerkPort, amazonPort,
                amazonTokenLifetime, kafkaPort, kafkaControllerPort, accountServiceJar, authGatewayJar, tokenRefresherJar,
                instances, extraArguments, pickFreePorts, faultProxies, true);
    }

    public LocalStackSettings withInstances(Instances count) {
        return new LocalStackSettings(workDir, database, gatewayPort, accountServicePort, tokenRefresherPort, clerkPort, amazonPort,
                amazonTokenLifetime, kafkaPort, kafkaControllerPort, accountServiceJar, authGatewayJar, tokenRefresherJar,
                count, extraArguments, pickFreePorts, faultProxies, traces);
    }

    /** The sandbox Google's port: the one after Amazon's in the local run, any free one where ports are picked. */
    public int googlePort() {
        return pickFreePorts ? 0 : amazonPort + 1;
    }

    /** The sandbox Microsoft's port: two after Amazon's in the local run, any free one where ports are picked. */
    public int microsoftPort() {
        return pickFreePorts ? 0 : amazonPort + 2;
    }

    /** The SMTP server's port (sandbox mail): three after Amazon's in the local run, any free one where ports are picked. */
    public int smtpPort() {
        return pickFreePorts ? 0 : amazonPort + 3;
    }

    /** The sandbox mailbox page's port: four after Amazon's in the local run, any free one where ports are picked. */
    public int mailboxPort() {
        return pickFreePorts ? 0 : amazonPort + 4;
    }

    /** The sandbox Slack's port: five after Amazon's in the local run, any free one where ports are picked. */
    public int slackPort() {
        return pickFreePorts ? 0 : amazonPort + 5;
    }

    /** The trace viewer's port (OTLP receiver): six after Amazon's in the local run, any free one where ports are picked. */
    public int tracesPort() {
        return pickFreePorts ? 0 : amazonPort + 6;
    }

    /**
     * Command-line arguments for a service ({@code account-service}), or for one instance of several
     * ({@code account-service-2}; they come after the service's and win).
     */
    public LocalStackSettings withExtraArguments(String service, String... arguments) {
        Map<String, List<String>> extra = new HashMap<>(extraArguments);
        extra.put(service, List.of(arguments));
        return new LocalStackSettings(workDir, database, gatewayPort, accountServicePort, tokenRefresherPort, clerkPort, amazonPort,
                amazonTokenLifetime, kafkaPort, kafkaControllerPort, accountServiceJar, authGatewayJar, tokenRefresherJar,
                instances, Map.copyOf(extra), pickFreePorts, faultProxies, traces);
    }

    List<String> extraArgumentsOf(String service) {
        return extraArguments.getOrDefault(service, List.of());
    }

    /** The service's usual port: the only instance's, or the balancer's in front of several. */
    int basePort(String service) {
        return switch (service) {
            case GATEWAY -> gatewayPort;
            case ACCOUNT_SERVICE -> accountServicePort;
            case TOKEN_REFRESHER -> tokenRefresherPort;
            default -> throw new IllegalArgumentException(service);
        };
    }

    /** Port of instance {@code index} (0-based) when a service runs more than once. */
    int instancePort(String service, int index) {
        return pickFreePorts ? FreePorts.pick() : basePort(service) + 100 * (index + 1);
    }

    private static List<String> arguments(String property) {
        String extra = System.getProperty(property, "").trim();
        return extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
    }

    Path logDir() {
        return workDir.resolve("logs");
    }

    private static int port(String key, int fallback) {
        return Integer.parseInt(setting(key, String.valueOf(fallback)));
    }

    private static String setting(String key, String fallback) {
        String fromProperty = System.getProperty(key);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return fromProperty;
        }
        String envName = key.toUpperCase().replace('.', '_').replace('-', '_');
        String fromEnv = System.getenv(envName);
        return fromEnv == null || fromEnv.isBlank() ? fallback : fromEnv;
    }
}
