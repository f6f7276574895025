package com.adsconnect.gateway.ratelimit;

import com.adsconnect.gateway.ratelimit.RateLimitProperties.FailureMode;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import reactor.core.publisher.Mono;

/**
 * Asks the configured bucket store, bounded by a timeout. When the shared store (Redis) fails or is
 * slow, the documented failure mode decides: this instance's own buckets, no limit, or 503.
 */
final class RateLimiter implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);
    private static final long WARN_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    sealed interface Decision {
        record Limited(ConsumptionProbe probe) implements Decision {
        }

        record Unlimited() implements Decision {
        }

        record Unavailable() implements Decision {
        }
    }

    private final BucketStore primary;
    private final BucketStore local;
    private final Duration timeout;
    private final FailureMode onFailure;
    private final MeterRegistry meters;
    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

    /** {@code primary} is Redis or, with the local backend, the same store as {@code local}. */
    RateLimiter(BucketStore primary, BucketStore local, Duration timeout, FailureMode onFailure, MeterRegistry meters) {
        this.primary = primary;
        this.local = local;
        this.timeout = timeout;
        this.onFailure = onFailure;
        this.meters = meters;
    }

    /** One line per interval while the store is failing, not one per request. */
    private void warn(Throwable error) {
        long last = lastWarning.get();
        long now = System.nanoTime();
        if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
            log.warn("rate-limit store failed ({}); applying rate-limit.redis.on-failure={}", error.toString(), onFailure);
        }
    }

    @Override
    public void destroy() throws Exception {
        if (primary instanceof DisposableBean disposable) {
            disposable.destroy();
        }
    }

    Mono<Decision> tryConsume(String key, BucketConfiguration configuration) {
        if (primary == local) {
            return local.tryConsume(key, configuration).map(Decision.Limited::new);
        }
        return primary.tryConsume(key, configuration)
                .timeout(timeout)
                .<Decision>map(Decision.Limited::new)
                .onErrorResume(error -> {
                    meters.counter("gateway.rate_limit.backend_failures", "mode", onFailure.name().toLowerCase()).increment();
                    warn(error);
                    return switch (onFailure) {
                        case LOCAL -> local.tryConsume(key, configuration).map(Decision.Limited::new);
                        case OPEN -> Mono.just(new Decision.Unlimited());
                        case CLOSED -> Mono.just(new Decision.Unavailable());
                    };
                });
    }
}
