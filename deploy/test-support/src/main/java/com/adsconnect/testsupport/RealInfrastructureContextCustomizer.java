package com.adsconnect.testsupport;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.google.SandboxGoogle;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoft;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.devinfra.net.TcpProxy;
import com.adsconnect.devinfra.postgres.PostgresServer;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Creates the test class's database and points the context at the shared infrastructure. Equality
 * includes the test class, so every annotated class gets a context (and a database) of its own.
 */
final class RealInfrastructureContextCustomizer implements ContextCustomizer {

    private final Class<?> testClass;
    private final List<Infrastructure> needs;
    private final boolean postgresProxy;

    RealInfrastructureContextCustomizer(Class<?> testClass, List<Infrastructure> needs, boolean postgresProxy) {
        this.testClass = testClass;
        this.needs = needs;
        this.postgresProxy = postgresProxy;
    }

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
        Map<String, Object> properties = new HashMap<>();
        PostgresServer server = null;
        String database = null;
        TcpProxy proxy = null;
        if (needs.contains(Infrastructure.POSTGRES)) {
            server = TestInfrastructure.postgres();
            database = databaseNameFor(testClass);
            server.ensureDatabase(database);
            PostgresServer reachedVia = server;
            if (postgresProxy) {
                proxy = TcpProxy.start(server.host(), server.port());
                reachedVia = server.via(proxy.host(), proxy.port());
            }
            properties.put("spring.r2dbc.url", reachedVia.r2dbcUrl(database));
            properties.put("spring.r2dbc.username", reachedVia.username());
            properties.put("spring.r2dbc.password", reachedVia.password());
            properties.put("spring.flyway.url", reachedVia.jdbcUrl(database));
            properties.put("spring.flyway.user", reachedVia.username());
            properties.put("spring.flyway.password", reachedVia.password());
        }
        if (needs.contains(Infrastructure.KAFKA)) {
            properties.put("kafka.bootstrap-servers", TestInfrastructure.kafka().bootstrapServers());
        }
        if (needs.contains(Infrastructure.REDIS)) {
            RedisEndpoint redis = TestInfrastructure.redis();
            properties.put("spring.data.redis.host", redis.host());
            properties.put("spring.data.redis.port", redis.port());
            properties.put("rate-limit.redis.url", "redis://" + redis.host() + ":" + redis.port());
        }
        if (needs.contains(Infrastructure.CLERK)) {
            SandboxClerk clerk = TestInfrastructure.clerk();
            properties.put("clerk.issuer", clerk.issuer());
            properties.put("clerk.jwks-url", clerk.jwksUrl());
            properties.put("clerk.authorized-parties", SandboxClerk.DEFAULT_AUTHORIZED_PARTY);
        }
        if (needs.contains(Infrastructure.AMAZON)) {
            SandboxAmazon amazon = TestInfrastructure.amazon();
            properties.put("amazon.client-id", SandboxAmazon.CLIENT_ID);
            properties.put("amazon.client-secret", SandboxAmazon.CLIENT_SECRET);
            properties.put("amazon.redirect-uri", TestInfrastructure.AMAZON_REDIRECT_URI);
            properties.putAll(amazon.regionProperties());
        }
        if (needs.contains(Infrastructure.GOOGLE)) {
            SandboxGoogle google = TestInfrastructure.google();
            properties.put("google.client-id", SandboxGoogle.CLIENT_ID);
            properties.put("google.client-secret", SandboxGoogle.CLIENT_SECRET);
            properties.put("google.redirect-uri", TestInfrastructure.GOOGLE_REDIRECT_URI);
            properties.put("google.developer-token", SandboxGoogle.DEVELOPER_TOKEN);
            properties.putAll(google.endpointProperties());
        }
        if (needs.contains(Infrastructure.MICROSOFT)) {
            SandboxMicrosoft microsoft = TestInfrastructure.microsoft();
            properties.put("microsoft.client-id", SandboxMicrosoft.CLIENT_ID);
            properties.put("microsoft.client-secret", SandboxMicrosoft.CLIENT_SECRET);
            properties.put("microsoft.redirect-uri", TestInfrastructure.MICROSOFT_REDIRECT_URI);
            properties.put("microsoft.developer-token", SandboxMicrosoft.DEVELOPER_TOKEN);
            properties.putAll(microsoft.endpointProperties());
        }
        if (needs.contains(Infrastructure.MAIL)) {
            properties.putAll(TestInfrastructure.mail().springProperties());
            properties.put("notifications.email.unsubscribe-key", TestInfrastructure.UNSUBSCRIBE_KEY);
        }
        if (needs.contains(Infrastructure.SLACK)) {
            properties.put("notifications.slack.api-base-url", TestInfrastructure.slack().baseUrl());
        }
        addBelowTestSpecificProperties(context, new MapPropertySource("realInfrastructure:" + testClass.getName(), properties));
        TestInfrastructureHandle handle = new TestInfrastructureHandle(server, database, proxy);
        context.getBeanFactory().registerSingleton("testInfrastructureHandle", handle);
        context.addApplicationListener(cleanUpOnClose(context, server, database, proxy));
    }

    /**
     * Above application.yaml, but below what the test class states itself
     * ({@code @SpringBootTest(properties)}, {@code @TestPropertySource}, {@code @DynamicPropertySource}).
     */
    private static void addBelowTestSpecificProperties(ConfigurableApplicationContext context, MapPropertySource source) {
        var sources = context.getEnvironment().getPropertySources();
        String anchor = null;
        for (String name : new String[] {"Dynamic Test Properties", "Inlined Test Properties"}) {
            if (sources.contains(name)) {
                anchor = name;
            }
        }
        if (anchor == null) {
            sources.addFirst(source);
        } else {
            sources.addAfter(anchor, source);
        }
    }

    private static ApplicationListener<ContextClosedEvent> cleanUpOnClose(
            ConfigurableApplicationContext context, PostgresServer server, String database, TcpProxy proxy) {
        return event -> {
            if (event.getApplicationContext() != context) {
                return;
            }
            if (proxy != null) {
                proxy.close();
            }
            if (server != null) {
                server.dropDatabase(database);
            }
        };
    }

    /**
     * t_{class}_{pid}_{random}: readable in psql when a test fails, unique across runs and forks;
     * the pid lets a later JVM drop what a crashed one left (see {@link LeftoverDatabases}).
     */
    static String databaseNameFor(Class<?> testClass) {
        String simple = testClass.getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        if (simple.length() > 36) {
            simple = simple.substring(0, 36);
        }
        return "t_" + simple + "_" + ProcessHandle.current().pid() + "_"
                + Integer.toString(ThreadLocalRandom.current().nextInt() & Integer.MAX_VALUE, 36);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RealInfrastructureContextCustomizer that
                && testClass == that.testClass
                && needs.equals(that.needs)
                && postgresProxy == that.postgresProxy;
    }

    @Override
    public int hashCode() {
        return Objects.hash(testClass, needs, postgresProxy);
    }
}
