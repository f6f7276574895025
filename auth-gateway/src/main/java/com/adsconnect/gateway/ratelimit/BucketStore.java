package com.adsconnect.gateway.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import reactor.core.publisher.Mono;

/** Where token buckets live: this instance's memory, or Redis for all replicas. */
interface BucketStore {

    /** Takes one token from the key's bucket, creating the bucket with {@code configuration} if new. */
    Mono<ConsumptionProbe> tryConsume(String key, BucketConfiguration configuration);
}
