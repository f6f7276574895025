package com.adsconnect.devinfra.kafka;

import com.adsconnect.devinfra.net.FreePorts;
import com.adsconnect.devinfra.net.TcpProxy;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running inside the
 * current JVM, for the local run and for tests on machines without Docker.
 *
 * <p>The broker keeps its ports and data directory across {@link #stop()} and {@link #start()},
 * so tests can take Kafka away and bring it back the way a broker restart looks to clients.
 *
 * <p>A broker made with {@link #createStallable} is reached only through a {@link TcpProxy} (it
 * advertises the proxy's address), so tests can also make it hang with every connection open
 * ({@link #stall()}), the way a broker in a long pause looks to clients.
 */
public final class InProcessKafkaBroker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(InProcessKafkaBroker.class);

    private final Path dataDirectory;
    private final int brokerPort;
    private final int controllerPort;
    private final int defaultPartitions;
    /** Where clients are told to connect: the broker's own port, or its proxy's. */
    private final int advertisedPort;
    /** A second listener, SASL_PLAINTEXT with SCRAM-SHA-512, or 0 for none. */
    private final int saslPort;
    private TcpProxy proxy;
    private final String clusterId = Uuid.randomUuid().toString();
    private KafkaRaftServer server;
    private boolean formatted;

    private InProcessKafkaBroker(Path dataDirectory, int brokerPort, int controllerPort, int defaultPartitions, int advertisedPort) {
        this(dataDirectory, brokerPort, controllerPort, defaultPartitions, advertisedPort, 0);
    }

    private InProcessKafkaBroker(Path dataDirectory, int brokerPort, int controllerPort, int defaultPartitions, int advertisedPort,
            int saslPort) {
        this.saslPort = saslPort;
        this.dataDirectory = dataDirectory;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.defaultPartitions = defaultPartitions;
        this.advertisedPort = advertisedPort;
    }

    /** A broker on free loopback ports with a fresh data directory under {@code parent}. */
    public static InProcessKafkaBroker create(Path parent, int defaultPartitions) {
        try {
            Files.createDirectories(parent);
            Path data = Files.createTempDirectory(parent, "kafka-");
            int port = FreePorts.pick();
            return new InProcessKafkaBroker(data, port, FreePorts.pick(), defaultPartitions, port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory under " + parent, e);
        }
    }

    /**
     * Like {@link #create}, plus a listener that takes only SASL/SCRAM-SHA-512 clients
     * ({@link #saslBootstrapServers()}), with users made by {@link #createScramUser}: how a Strimzi
     * cluster with {@code authentication: scram-sha-512} looks to a client, TLS aside.
     */
    public static InProcessKafkaBroker createWithScram(Path parent, int defaultPartitions) {
        try {
            Files.createDirectories(parent);
            Path data = Files.createTempDirectory(parent, "kafka-scram-");
            int port = FreePorts.pick();
            return new InProcessKafkaBroker(data, port, FreePorts.pick(), defaultPartitions, port, FreePorts.pick());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory under " + parent, e);
        }
    }

    /** Like {@link #create}, but reached through a proxy that {@link #stall()} can make hang. */
    public static InProcessKafkaBroker createStallable(Path parent, int defaultPartitions) {
        try {
            Files.createDirectories(parent);
            Path data = Files.createTempDirectory(parent, "kafka-");
            return new InProcessKafkaBroker(data, FreePorts.pick(), FreePorts.pick(), defaultPartitions, FreePorts.pick());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka data directory under " + parent, e);
        }
    }

    /** A stallable broker ({@link #createStallable}) on fixed ports: clients use {@code advertisedPort}. */
    public static InProcessKafkaBroker stallableAt(Path dataDirectory, int advertisedPort, int brokerPort, int controllerPort,
            int defaultPartitions) {
        return new InProcessKafkaBroker(dataDirectory, brokerPort, controllerPort, defaultPartitions, advertisedPort);
    }

    /** A broker on fixed ports with the given data directory, kept between runs. */
    public static InProcessKafkaBroker at(Path dataDirectory, int brokerPort, int controllerPort, int defaultPartitions) {
        return new InProcessKafkaBroker(dataDirectory, brokerPort, controllerPort, defaultPartitions, brokerPort);
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + advertisedPort;
    }

    /** The SCRAM listener of a broker made with {@link #createWithScram}. */
    public String saslBootstrapServers() {
        if (saslPort == 0) {
            throw new IllegalStateException("this broker has no SASL listener: create it with createWithScram");
        }
        return "127.0.0.1:" + saslPort;
    }

    /** Creates (or replaces) a SCRAM-SHA-512 user, as Strimzi's user operator does for a {@code KafkaUser}. */
    public void createScramUser(String user, String password) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(user,
                    new org.apache.kafka.clients.admin.ScramCredentialInfo(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 4096),
                    password))).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted creating SCRAM user " + user, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create SCRAM user " + user, e);
        }
    }

    private boolean stallable() {
        return advertisedPort != brokerPort;
    }

    /**
     * Holds every byte between clients and the broker, connections kept open, until
     * {@link #resume()}: requests in flight wait for their answers. Only for a broker made with
     * {@link #createStallable} or {@link #stallableAt}.
     */
    public synchronized void stall() {
        if (proxy == null) {
            throw new IllegalStateException("this broker is not behind a proxy: create it with createStallable");
        }
        proxy.stall();
    }

    /** Lets what {@link #stall()} held through, and everything after it. */
    public synchronized void resume() {
        if (proxy != null) {
            proxy.resume();
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Starts the broker and waits until it answers metadata requests. */
    public synchronized InProcessKafkaBroker start() {
        if (server != null) {
            return this;
        }
        long started = System.nanoTime();
        KafkaConfig config = new KafkaConfig(brokerConfig(), false);
        formatIfNeeded(config);
        if (stallable() && proxy == null) {
            proxy = TcpProxy.balancing(advertisedPort, List.of(new InetSocketAddress("127.0.0.1", brokerPort)));
        }
        KafkaRaftServer raftServer = new KafkaRaftServer(config, Time.SYSTEM);
        raftServer.startup();
        server = raftServer;
        awaitReady(Duration.ofSeconds(30));
        log.info("Kafka broker up at {} in {} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return this;
    }

    /** Stops the broker; clients see connection refusals until {@link #start()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdown();
        server.awaitShutdown();
        server = null;
        log.info("Kafka broker at {} stopped", bootstrapServers());
    }

    /** Creates topics if they do not exist yet. */
    public void createTopics(Map<String, Integer> partitionsByTopic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            List<NewTopic> topics = partitionsByTopic.entrySet().stream()
                    .map(e -> new NewTopic(e.getKey(), e.getValue(), (short) 1))
                    .toList();
            admin.createTopics(topics).values().forEach((name, future) -> {
                try {
                    future.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + name, e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted creating topic " + name, e);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("timed out creating topic " + name, e);
                }
            });
        }
    }

    @Override
    public void close() {
        stop();
        synchronized (this) {
            if (proxy != null) {
                proxy.close();
                proxy = null;
            }
        }
    }

    private Map<String, Object> brokerConfig() {
        Map<String, Object> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        String sasl = saslPort == 0 ? "" : ",SASL_PLAINTEXT://127.0.0.1:" + saslPort;
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort + sasl);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + advertisedPort + sasl);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT");
        if (saslPort != 0) {
            props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            props.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        }
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", dataDirectory.toString());
        props.put("num.partitions", String.valueOf(defaultPartitions));
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        // a single-node broker has no one to wait for; consumers join at once
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.put("background.threads", "2");
        return props;
    }

    private void formatIfNeeded(KafkaConfig config) {
        if (formatted || Files.exists(dataDirectory.resolve("meta.properties"))) {
            formatted = true;
            return;
        }
        try {
            new Formatter()
                    .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setClusterId(clusterId)
                    .setNodeId(1)
                    .setControllerListenerName("CONTROLLER")
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setDirectories(List.of(dataDirectory.toString()))
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
            formatted = true;
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + dataDirectory, e);
        }
    }

    private void awaitReady(Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka broker did not become ready in " + timeout, e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for Kafka", e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka broker did not become ready in " + timeout);
                }
            }
        }
    }
}
