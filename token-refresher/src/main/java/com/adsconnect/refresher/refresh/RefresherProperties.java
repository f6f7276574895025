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
 * @param bufferedRecords          records fetched and waiting for processing, all partitions together; enough
 *                                 that every assigned partition has work while a few are far ahead
 * @param commitInterval           how often acknowledged offsets are committed
 * @param retryDelay               how long a failed refresh waits in the retry topic
 * @param maxRetries               deliveries from the retry topic before the dead-letter topic
 * @param shutdownTimeout          how long shutdown waits for in-flight refreshes
 * @param dedupCapacity            event ids remembered to drop duplicate deliveries
 * @param leaseMargin              a call to Amazon starts only if it can end (time limit included) this long before
 *                                 the lease does, so no call outlives its lease even with some clock skew
 * @param forwardTimeout           how long one forward to the retry or dead-letter topic may take
 * @param forwardAttempts          forwards tried (with backoff) before the consumer gives the record back to Kafka
 *                                 and starts again from the last committed offset
 * @param reportRetryBackoff       first wait before a success report is sent again, doubled each time
 * @param reportRetryMaxBackoff    the longest such wait; success reports are retried until account-service answers
 * @param createTopics             create the three topics at start where missing (the consumer never creates one)
 * @param topicPartitions          their partition count when created here; with {@code perPartitionConcurrency},
 *                                 the most refreshes one consumer group runs at once
 * @param sessionTimeout           the consumer's Kafka session timeout: how long a replica that vanished without
 *                                 leaving the group (killed, or its consumer replaced while Kafka was away) keeps
 *                                 its partitions
 */
@Validated
@ConfigurationProperties("refresher")
public record RefresherProperties(
        @NotBlank @DefaultValue("token-refresher") String groupId,
        @NotBlank @DefaultValue("amazon.token-expiring") String tokenExpiringTopic,
        @NotBlank @DefaultValue("amazon.token-expiring.retry") String retryTopic,
        @NotBlank @DefaultValue("amazon.token-expiring.dlt") String deadLetterTopic,
        @Min(1) @DefaultValue("8") int perPartitionConcurrency,
        @Min(256) @DefaultValue("4096") int bufferedRecords,
        @NotNull @DefaultValue("500ms") Duration commitInterval,
        @NotNull @DefaultValue("30s") Duration retryDelay,
        @Min(0) @DefaultValue("3") int maxRetries,
        @NotNull @DefaultValue("20s") Duration shutdownTimeout,
        @Min(100) @DefaultValue("100000") int dedupCapacity,
        @NotNull @DefaultValue("5s") Duration leaseMargin,
        @NotNull @DefaultValue("30s") Duration forwardTimeout,
        @Min(1) @DefaultValue("3") int forwardAttempts,
        @NotNull @DefaultValue("500ms") Duration reportRetryBackoff,
        @NotNull @DefaultValue("15s") Duration reportRetryMaxBackoff,
        @NotNull @DefaultValue("45s") Duration sessionTimeout,
        @DefaultValue("true") boolean createTopics,
        @Min(1) @DefaultValue("32") int topicPartitions) {
}
