package com.adsconnect.refresher.refresh;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The refresh worker. Env: {@code REFRESHER_GROUP_ID}, {@code REFRESHER_PER_PARTITION_CONCURRENCY}, ...
 *
 * @param groupId                  the Kafka consumer group; every refresher replica joins it
 * @param tokenExpiringTopic       what account-service publishes
 * @param retryTopic               failed refreshes wait here for {@code retryDelay}
 * @param deadLetterTopic          refreshes that failed {@code maxRetries} times from the retry topic
 * @param perPartitionConcurrency  events of one partition processed at once (offsets still commit in order)
 * @param commitInterval           how often acknowledged offsets are committed
 * @param retryDelay               how long a failed refresh waits in the retry topic
 * @param maxRetries               deliveries from the retry topic before the dead-letter topic
 * @param shutdownTimeout          how long shutdown waits for in-flight refreshes
 * @param dedupCapacity            event ids remembered to drop duplicate deliveries
 */
@Validated
@ConfigurationProperties("refresher")
public record RefresherProperties(
        @NotBlank @DefaultValue("token-refresher") String groupId,
        @NotBlank @DefaultValue("amazon.token-expiring") String tokenExpiringTopic,
        @NotBlank @DefaultValue("amazon.token-expiring.retry") String retryTopic,
        @NotBlank @DefaultValue("amazon.token-expiring.dlt") String deadLetterTopic,
        @Min(1) @DefaultValue("8") int perPartitionConcurrency,
        @NotNull @DefaultValue("500ms") Duration commitInterval,
        @NotNull @DefaultValue("30s") Duration retryDelay,
        @Min(0) @DefaultValue("3") int maxRetries,
        @NotNull @DefaultValue("20s") Duration shutdownTimeout,
        @Min(100) @DefaultValue("100000") int dedupCapacity) {
}
