package com.adsconnect.testsupport;

import com.adsconnect.devinfra.postgres.PostgresServer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Testcontainers versions of the shared infrastructure, used where a Docker engine runs. The
 * containers live as long as the test JVM (Ryuk removes them). "Unreachable" is a paused
 * container, which keeps its mapped ports, so clients can reconnect to the same address.
 */
final class ContainerInfrastructure {

    private ContainerInfrastructure() {
    }

    static PostgresServer postgres() {
        PostgreSQLContainer container = new PostgreSQLContainer(DockerImageName.parse("postgres:17-alpine"))
                .withUsername("postgres")
                .withPassword("postgres")
                .withCommand("postgres", "-c", "max_connections=300", "-c", "fsync=off");
        container.start();
        return new PostgresServer(container.getHost(), container.getMappedPort(5432), "postgres", "postgres");
    }

    static KafkaEndpoint kafka() {
        KafkaContainer container = new KafkaContainer(DockerImageName.parse("apache/kafka-native:4.1.1"))
                .withEnv("KAFKA_NUM_PARTITIONS", "3");
        container.start();
        return new KafkaEndpoint() {
            @Override
            public String bootstrapServers() {
                return container.getBootstrapServers();
            }

            @Override
            public void stop() {
                container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
            }

            @Override
            public void start() {
                container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
            }

            @Override
            public void stall() {
                stop();
            }

            @Override
            public void resume() {
                start();
            }
        };
    }

    static RedisEndpoint redis() {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse("redis:7-alpine"))
                .withExposedPorts(6379);
        container.start();
        return new RedisEndpoint(container.getHost(), container.getMappedPort(6379));
    }
}
