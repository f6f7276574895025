package com.adsconnect.refresher.refresh;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness follows the refresh consumer: a replica whose consumer is restarting after a failure,
 * stopping, or not started yet refreshes nothing, and says so. Details name the state and how
 * often the consumer had to be replaced.
 */
@Component("refreshConsumer")
class RefreshConsumerHealthIndicator implements HealthIndicator {

    private final RefreshEventsKafka consumer;

    RefreshConsumerHealthIndicator(RefreshEventsKafka consumer) {
        this.consumer = consumer;
    }

    @Override
    public Health health() {
        RefreshEventsKafka.State state = consumer.state();
        Health.Builder builder = state == RefreshEventsKafka.State.RUNNING ? Health.up() : Health.down();
        builder.withDetail("state", state.name()).withDetail("restarts", consumer.restarts());
        if (consumer.lastFailure() != null) {
            builder.withDetail("lastFailure", consumer.lastFailure());
        }
        return builder.build();
    }
}
