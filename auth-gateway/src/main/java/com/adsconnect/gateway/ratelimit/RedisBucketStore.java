package com.adsconnect.gateway.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import reactor.core.publisher.Mono;

/**
 * Buckets in Redis, shared by every gateway replica (Bucket4j's compare-and-swap over Lettuce's
 * async API: no event-loop thread waits on Redis). The connection is made lazily and asynchronously
 * so the gateway starts, and keeps serving under its failure mode, while Redis is down; a failed
 * connect is retried at most once per {@code reconnectInterval}. While disconnected, Lettuce
 * rejects commands at once instead of queueing them.
 */
final class RedisBucketStore implements BucketStore, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RedisBucketStore.class);
    private static final Duration RECONNECT_INTERVAL = Duration.ofSeconds(1);
    // a bucket that has refilled completely is the same as no bucket: let Redis drop it then
    private static final Duration KEEP_FULL_BUCKETS = Duration.ofSeconds(10);

    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String keyPrefix;
    private final Duration timeout;
    private final Clock clock;
    private final AtomicReference<Mono<Connected>> connection = new AtomicReference<>();
    private volatile Instant lastConnectFailure = Instant.EPOCH;
    /** Why the last connection attempt failed (a refused password, a refused connection): the cause of the errors until the next. */
    private volatile Throwable lastConnectError;

    private record Connected(StatefulRedisConnection<String, byte[]> connection, AsyncProxyManager<String> buckets) {
    }

    RedisBucketStore(RedisURI uri, String keyPrefix, Duration timeout, Clock clock) {
        this.uri = uri;
        this.keyPrefix = keyPrefix;
        this.timeout = timeout;
        this.clock = clock;
        uri.setTimeout(timeout);
        // reconnect quickly once Redis is back, rather than Lettuce's default backoff of up to 30 s
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        this.client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        // connect now, in the background: the first request must not pay for the TCP handshake
        // within its bucket timeout, and a Redis that is down must not hold up the start
        connected().subscribe(ready -> {
        }, error -> log.warn("Redis for the rate-limit buckets is not reachable yet ({}); retrying on demand", error.toString()));
    }

    @Override
    public Mono<ConsumptionProbe> tryConsume(String key, BucketConfiguration configuration) {
        return connected().flatMap(connected -> Mono.fromFuture(() -> connected.buckets().builder()
                .build(keyPrefix + key, () -> CompletableFuture.completedFuture(configuration))
                .tryConsumeAndReturnRemaining(1)));
    }

    private Mono<Connected> connected() {
        Mono<Connected> current = connection.get();
        if (current != null) {
            return current;
        }
        if (lastConnectFailure.plus(RECONNECT_INTERVAL).isAfter(clock.instant())) {
            return Mono.error(new IllegalStateException("Redis unreachable; next connection attempt after " + RECONNECT_INTERVAL,
                    lastConnectError));
        }
        RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
        Mono<Connected> attempt = Mono.fromFuture(() -> client.connectAsync(codec, uri).toCompletableFuture())
                .map(redis -> new Connected(redis, Bucket4jLettuce.casBasedBuilder(redis)
                        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_FULL_BUCKETS))
                        .requestTimeout(timeout)
                        .build()
                        .asAsync()))
                .doOnError(error -> {
                    lastConnectError = error;
                    lastConnectFailure = clock.instant();
                    connection.set(null);
                })
                .cache();
        return connection.compareAndSet(null, attempt) ? attempt : connection.get() != null ? connection.get() : attempt;
    }

    @Override
    public void destroy() {
        Mono<Connected> current = connection.getAndSet(null);
        if (current != null) {
            current.subscribe(connected -> connected.connection().closeAsync(), error -> {
            });
        }
        client.shutdownAsync().whenComplete((done, error) -> resources.shutdown());
    }
}
