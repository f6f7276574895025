package com.adsconnect.gateway.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import reactor.core.publisher.Mono;

/**
 * Buckets in this instance's memory. Bucket4j's local buckets are lock-free, so taking a token
 * never blocks the event loop. Idle buckets are evicted once they would be full again anyway, and
 * the number of buckets is capped so a flood of identities cannot exhaust the heap.
 */
final class LocalBucketStore implements BucketStore {

    private final Cache<String, Bucket> buckets;

    LocalBucketStore(Duration idleEviction, long maximumBuckets) {
        this.buckets = Caffeine.newBuilder()
                .expireAfterAccess(idleEviction)
                .maximumSize(maximumBuckets)
                .build();
    }

    @Override
    public Mono<ConsumptionProbe> tryConsume(String key, BucketConfiguration configuration) {
        return Mono.fromSupplier(() -> buckets.get(key, k -> newBucket(configuration)).tryConsumeAndReturnRemaining(1));
    }

    private static Bucket newBucket(BucketConfiguration configuration) {
        var builder = Bucket.builder();
        for (var bandwidth : configuration.getBandwidths()) {
            builder.addLimit(bandwidth);
        }
        return builder.build();
    }
}
