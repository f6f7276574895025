package com.adsconnect.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adsconnect.testsupport.RedisEndpoint;
import com.adsconnect.testsupport.TestInfrastructure;
import io.github.bucket4j.BucketConfiguration;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's shared buckets behind Redis AUTH: a Redis ACL user made for this test in the real
 * Redis, allowed only its own key prefix. The right password takes tokens, a wrong one takes none,
 * and the password is in neither the URL nor any printed setting.
 */
class RedisAuthTest {

    private final RedisEndpoint endpoint = TestInfrastructure.redis();
    private final String user = "gateway-" + UUID.randomUUID().toString().substring(0, 8);
    private final String password = "redis-" + UUID.randomUUID();
    private final String prefix = "auth-test-" + user + ":";
    private final BucketConfiguration twoPerMinute = BucketConfiguration.builder()
            .addLimit(limit -> limit.capacity(2).refillGreedy(2, Duration.ofMinutes(1))).build();

    @AfterEach
    void dropUser() {
        admin(connection -> connection.sync().aclDeluser(user));
    }

    @Test
    void theRightPasswordTakesTokensAWrongOneNone() {
        admin(connection -> connection.sync().dispatch(io.lettuce.core.protocol.CommandType.ACL,
                new io.lettuce.core.output.StatusOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
                new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8)
                        .add("SETUSER").add(user).add("on").add(">" + password).add("~" + prefix + "*").add("+@all")));

        RateLimitProperties.Redis settings = settings(password);
        assertThat(settings.toString()).doesNotContain(password);
        RedisBucketStore store = new RedisBucketStore(settings.redisUri(), prefix, Duration.ofSeconds(2), Clock.systemUTC());
        try {
            assertThat(store.tryConsume("user:a", twoPerMinute).block(Duration.ofSeconds(5)).isConsumed()).isTrue();
            assertThat(store.tryConsume("user:a", twoPerMinute).block(Duration.ofSeconds(5)).getRemainingTokens()).isZero();
        } finally {
            store.destroy();
        }

        RedisBucketStore wrong = new RedisBucketStore(settings("not-" + password).redisUri(), prefix, Duration.ofSeconds(2),
                Clock.systemUTC());
        try {
            assertThatThrownBy(() -> wrong.tryConsume("user:b", twoPerMinute).block(Duration.ofSeconds(5)))
                    .hasStackTraceContaining("WRONGPASS");
            // at once again, before the next connection attempt is due: the refusal is still the reason given
            assertThatThrownBy(() -> wrong.tryConsume("user:b", twoPerMinute).block(Duration.ofSeconds(5)))
                    .hasMessageContaining("unreachable").hasStackTraceContaining("WRONGPASS");
        } finally {
            wrong.destroy();
        }
    }

    private RateLimitProperties.Redis settings(String secret) {
        return new RateLimitProperties.Redis(URI.create("redis://" + endpoint.host() + ":" + endpoint.port()), Duration.ofSeconds(2),
                RateLimitProperties.FailureMode.LOCAL, prefix, user, secret);
    }

    private void admin(java.util.function.Consumer<StatefulRedisConnection<String, String>> command) {
        RedisClient client = RedisClient.create(RedisURI.create(endpoint.host(), endpoint.port()));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            command.accept(connection);
        } finally {
            client.shutdown();
        }
    }
}
