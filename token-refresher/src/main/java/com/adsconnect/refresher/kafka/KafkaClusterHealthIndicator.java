package com.adsconnect.refresher.kafka;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Kafka is this service's work queue: without a reachable cluster it cannot do anything useful,
 * so the cluster's answer to a describe call feeds readiness. The admin client is non-blocking
 * (its futures complete on its own network thread), and every call is bounded by a timeout.
 */
@Component("kafka")
class KafkaClusterHealthIndicator extends AbstractReactiveHealthIndicator implements DisposableBean {

    private final Admin admin;
    private final Duration timeout;

    KafkaClusterHealthIndicator(KafkaProperties kafka) {
        super("Kafka health check failed");
        this.timeout = kafka.healthTimeout();
        int millis = (int) timeout.toMillis();
        Map<String, Object> settings = new java.util.HashMap<>(kafka.clientSettings());
        settings.putAll(Map.of(
                AdminClientConfig.CLIENT_ID_CONFIG, "token-refresher-health",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, millis,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000));
        this.admin = Admin.create(settings);
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        var cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()));
        return Mono.fromCompletionStage(cluster.nodes().toCompletionStage())
                .timeout(timeout.plusMillis(500))
                .map(nodes -> nodes.isEmpty()
                        ? builder.down().withDetail("nodes", 0).build()
                        : builder.up().withDetail("nodes", nodes.size()).build());
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(2));
    }
}
