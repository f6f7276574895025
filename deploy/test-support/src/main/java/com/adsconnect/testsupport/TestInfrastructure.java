package com.adsconnect.testsupport;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.google.SandboxGoogle;
import com.adsconnect.devinfra.mail.SandboxMail;
import com.adsconnect.devinfra.slack.SandboxSlack;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoft;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.devinfra.kafka.InProcessKafkaBroker;
import com.adsconnect.devinfra.net.FreePorts;
import com.adsconnect.devinfra.postgres.PostgresLocator;
import com.adsconnect.devinfra.postgres.PostgresServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * The real infrastructure of one test JVM, started lazily and shared by its test classes.
 *
 * <p>{@code TEST_INFRASTRUCTURE=docker|local|auto} (default {@code auto}) chooses between
 * Testcontainers and local services; {@code auto} uses Docker when an engine answers.
 */
public final class TestInfrastructure {

    private static final Logger log = LoggerFactory.getLogger(TestInfrastructure.class);

    private static volatile Boolean docker;
    private static volatile PostgresServer postgres;
    private static volatile KafkaEndpoint kafka;
    private static volatile RedisEndpoint redis;
    private static volatile SandboxClerk clerk;
    private static volatile SandboxAmazon amazon;
    private static volatile SandboxGoogle google;
    private static volatile SandboxMail mail;
    private static volatile SandboxSlack slack;
    /** Signs unsubscribe links in tests (base64 of 32 bytes; production keys come from Secrets). */
    public static final String UNSUBSCRIBE_KEY = "dGVzdC1vbmx5LXVuc3Vic2NyaWJlLWtleS0zMi1ieXRlcyE=";
    private static volatile SandboxMicrosoft microsoft;

    /** Where the sandbox Amazon tells the browser to return; the front end's callback page. */
    public static final String AMAZON_REDIRECT_URI = "http://localhost:3000/amazon/callback";
    /** The front end's callback page for Google and Microsoft (one page serves every provider). */
    public static final String GOOGLE_REDIRECT_URI = "http://localhost:3000/integrations/callback";
    public static final String MICROSOFT_REDIRECT_URI = "http://localhost:3000/integrations/callback";

    private TestInfrastructure() {
    }

    public static boolean usesDocker() {
        if (docker == null) {
            synchronized (TestInfrastructure.class) {
                if (docker == null) {
                    String mode = System.getenv().getOrDefault("TEST_INFRASTRUCTURE", "auto").toLowerCase(Locale.ROOT);
                    docker = switch (mode) {
                        case "docker" -> true;
                        case "local" -> false;
                        default -> DockerClientFactory.instance().isDockerAvailable();
                    };
                    log.info("test infrastructure: {}", docker ? "Testcontainers" : "local services and in-process Kafka");
                }
            }
        }
        return docker;
    }

    public static PostgresServer postgres() {
        if (postgres == null) {
            synchronized (TestInfrastructure.class) {
                if (postgres == null) {
                    PostgresServer server = usesDocker() ? ContainerInfrastructure.postgres() : localPostgres();
                    LeftoverDatabases.dropThoseOfDeadTestJvms(server);
                    postgres = server;
                }
            }
        }
        return postgres;
    }

    public static KafkaEndpoint kafka() {
        if (kafka == null) {
            synchronized (TestInfrastructure.class) {
                if (kafka == null) {
                    kafka = usesDocker() ? ContainerInfrastructure.kafka() : inProcessKafka();
                }
            }
        }
        return kafka;
    }

    public static RedisEndpoint redis() {
        if (redis == null) {
            synchronized (TestInfrastructure.class) {
                if (redis == null) {
                    redis = usesDocker() ? ContainerInfrastructure.redis() : localRedis();
                }
            }
        }
        return redis;
    }

    /** The Clerk stand-in: an HTTP stub in every mode, since Clerk is external SaaS. */
    public static SandboxClerk clerk() {
        if (clerk == null) {
            synchronized (TestInfrastructure.class) {
                if (clerk == null) {
                    SandboxClerk started = SandboxClerk.start(Duration.ofMinutes(10));
                    Runtime.getRuntime().addShutdownHook(new Thread(started::close, "sandbox-clerk-stop"));
                    clerk = started;
                }
            }
        }
        return clerk;
    }

    /** The Amazon stand-in: an HTTP stub in every mode, since Amazon is external. */
    public static SandboxAmazon amazon() {
        if (amazon == null) {
            synchronized (TestInfrastructure.class) {
                if (amazon == null) {
                    SandboxAmazon started = SandboxAmazon.start(0, Duration.ofHours(1));
                    Runtime.getRuntime().addShutdownHook(new Thread(started::close, "sandbox-amazon-stop"));
                    amazon = started;
                }
            }
        }
        return amazon;
    }

    /** The SMTP server: in-process GreenMail in every mode (a real SMTP server, no container needed). */
    public static SandboxMail mail() {
        if (mail == null) {
            synchronized (TestInfrastructure.class) {
                if (mail == null) {
                    SandboxMail started = SandboxMail.start(0);
                    Runtime.getRuntime().addShutdownHook(new Thread(started::close, "sandbox-mail-stop"));
                    mail = started;
                }
            }
        }
        return mail;
    }

    /** The Slack stand-in: an HTTP stub in every mode, since Slack is external. */
    public static SandboxSlack slack() {
        if (slack == null) {
            synchronized (TestInfrastructure.class) {
                if (slack == null) {
                    SandboxSlack started = SandboxSlack.start(0);
                    Runtime.getRuntime().addShutdownHook(new Thread(started::close, "sandbox-slack-stop"));
                    slack = started;
                }
            }
        }
        return slack;
    }

    /** The Google stand-in: an HTTP stub in every mode, since Google is external. */
    public static SandboxGoogle google() {
        if (google == null) {
            synchronized (TestInfrastructure.class) {
                if (google == null) {
                    SandboxGoogle started = SandboxGoogle.start(0, Duration.ofHours(1));
                    Runtime.getRuntime().addShutdownHook(new Thread(started::close, "sandbox-google-stop"));
                    google = started;
                }
            }
        }
        return google;
    }

    /** The Microsoft stand-in: an HTTP stub in every mode, since Microsoft is external. */
    public static SandboxMicrosoft microsoft() {
        if (microsoft == null) {
            synchronized (TestInfrastructure.class) {
                if (microsoft == null) {
                    SandboxMicrosoft started = SandboxMicrosoft.start(0, Duration.ofHours(1));
                    Runtime.getRuntime().addShutdownHook(new Thread(started::close, "sandbox-microsoft-stop"));
                    microsoft = started;
                }
            }
        }
        return microsoft;
    }

    private static PostgresServer localPostgres() {
        return PostgresLocator.findRunning().orElseGet(() -> {
            log.info("no PostgreSQL on localhost; starting an embedded one for this test JVM");
            var embedded = PostgresLocator.startEmbedded(tempDir().resolve("embedded-pg-" + ProcessHandle.current().pid()), false);
            Runtime.getRuntime().addShutdownHook(new Thread(embedded::close, "embedded-postgres-stop"));
            return embedded.server();
        });
    }

    private static KafkaEndpoint inProcessKafka() {
        InProcessKafkaBroker broker = InProcessKafkaBroker.createStallable(tempDir(), 3).start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::stop, "kafka-broker-stop"));
        return new KafkaEndpoint() {
            @Override
            public String bootstrapServers() {
                return broker.bootstrapServers();
            }

            @Override
            public void stop() {
                broker.stop();
            }

            @Override
            public void start() {
                broker.start();
            }

            @Override
            public void stall() {
                broker.stall();
            }

            @Override
            public void resume() {
                broker.resume();
            }
        };
    }

    private static RedisEndpoint localRedis() {
        String host = System.getenv().getOrDefault("DEV_REDIS_HOST", "127.0.0.1");
        int port = Integer.parseInt(System.getenv().getOrDefault("DEV_REDIS_PORT", "6379"));
        if (!FreePorts.isListening(host, port, 1_000)) {
            throw new IllegalStateException("Redis is not reachable at " + host + ":" + port
                    + " and no Docker engine is available; start it (see .ci/run) or set DEV_REDIS_HOST/DEV_REDIS_PORT");
        }
        return new RedisEndpoint(host, port);
    }

    private static Path tempDir() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
