package com.adsconnect.gateway.ratelimit;

import com.adsconnect.gateway.problem.GatewayProblems;
import com.adsconnect.gateway.ratelimit.RateLimitProperties.Backend;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RateLimitConfiguration {

    // one bucket per (plan, caller); a million idle callers cost some hundred MB at most
    private static final long MAX_LOCAL_BUCKETS = 1_000_000;

    @Bean
    LocalBucketStore localBucketStore(RateLimitProperties properties) {
        Duration longestPeriod = properties.plans().values().stream()
                .map(RateLimitProperties.Plan::period).max(Duration::compareTo).orElseThrow();
        return new LocalBucketStore(longestPeriod, MAX_LOCAL_BUCKETS);
    }

    @Bean
    RateLimiter rateLimiter(RateLimitProperties properties, LocalBucketStore local, MeterRegistry meters) {
        if (properties.backend() == Backend.LOCAL) {
            return new RateLimiter(local, local, properties.redis().timeout(), properties.redis().onFailure(), meters);
        }
        var redis = new RedisBucketStore(properties.redis().redisUri(), properties.redis().keyPrefix(),
                properties.redis().timeout(), Clock.systemUTC());
        return new RateLimiter(redis, local, properties.redis().timeout(), properties.redis().onFailure(), meters);
    }

    @Bean
    RateLimitFilter rateLimitFilter(RateLimitProperties properties, RateLimiter limiter, GatewayProblems problems, MeterRegistry meters) {
        return new RateLimitFilter(properties, limiter, problems, meters);
    }
}
