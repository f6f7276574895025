package com.adsconnect.local;

import com.adsconnect.devinfra.net.FreePorts;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Ports, paths and jars of a local run. Every value can be changed with a system property
 * ({@code -Dlocal.gateway-port=18080}) or the matching env var ({@code LOCAL_GATEWAY_PORT}).
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
        Path tokenRefresherJar) {

    /** Settings on free ports, for tests that must not collide with a developer's running stack. */
    public static LocalStackSettings onFreePorts(Path workDir, Path accountServiceJar, Path authGatewayJar, Path tokenRefresherJar) {
        return new LocalStackSettings(workDir.toAbsolutePath(), "local_stack_it", FreePorts.pick(), FreePorts.pick(), FreePorts.pick(),
                FreePorts.pick(), FreePorts.pick(), Duration.ofHours(1), FreePorts.pick(), FreePorts.pick(),
                accountServiceJar, authGatewayJar, tokenRefresherJar);
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
                Path.of(setting("local.jar.token-refresher", "token-refresher/target/token-refresher.jar")));
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
