package com.adsconnect.gateway.ratelimit;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpMethod;
import org.springframework.validation.annotation.Validated;

/**
 * Per-user request budgets. Env: {@code RATE_LIMIT_BACKEND=redis}, {@code RATE_LIMIT_REDIS_URL},
 * {@code RATE_LIMIT_REDIS_ON_FAILURE}, {@code RATE_LIMIT_PLANS_DEFAULT_CAPACITY}, ...
 *
 * @param backend     {@code local}: buckets in this instance's memory; {@code redis}: buckets in
 *                    Redis, shared by every gateway replica
 * @param defaultPlan the plan of a routed request that no rule in {@code routes} matches
 * @param plans       named budgets
 * @param routes      overrides, first match wins
 * @param redis       the Redis backend's connection and failure behaviour
 */
@Validated
@ConfigurationProperties("rate-limit")
public record RateLimitProperties(
        @NotNull @DefaultValue("local") Backend backend,
        @NotBlank @DefaultValue("default") String defaultPlan,
        @NotEmpty Map<String, @Valid Plan> plans,
        @NotNull @DefaultValue List<@Valid RouteRule> routes,
        @NotNull @Valid @DefaultValue Redis redis) {

    public RateLimitProperties {
        if (plans != null) {
            if (!plans.containsKey(defaultPlan)) {
                throw new IllegalArgumentException("rate-limit.default-plan '" + defaultPlan + "' is not among rate-limit.plans " + plans.keySet());
            }
            for (RouteRule route : routes) {
                if (!plans.containsKey(route.plan())) {
                    throw new IllegalArgumentException("rate-limit.routes: plan '" + route.plan() + "' of " + route.path()
                            + " is not among rate-limit.plans " + plans.keySet());
                }
            }
        }
    }

    public enum Backend { LOCAL, REDIS }

    /** Who a bucket belongs to: the token's {@code sub}, or for unauthenticated routes the client address. */
    public enum Key { USER, CLIENT_IP }

    /** What the gateway does when Redis does not answer within {@code timeout}. */
    public enum FailureMode {
        /** count against this instance's in-memory bucket: each replica enforces the budget alone */
        LOCAL,
        /** let the request through unlimited */
        OPEN,
        /** refuse with 503 */
        CLOSED
    }

    /**
     * {@code capacity} requests per {@code period}, refilled continuously; a burst may use the
     * whole capacity at once.
     */
    public record Plan(@Positive long capacity, @NotNull Duration period) {
    }

    /**
     * @param method any method when absent
     * @param path   a path pattern ({@code /api/v1/amazon/connections}, {@code /webhooks/**})
     */
    public record RouteRule(HttpMethod method, @NotBlank String path, @NotBlank String plan, @NotNull @DefaultValue("user") Key key) {
    }

    /**
     * @param url       Redis to keep the shared buckets in
     * @param timeout   longest wait for one bucket update before {@code onFailure} applies
     * @param onFailure {@code local} (default), {@code open} or {@code closed}
     * @param keyPrefix prefix of the bucket keys in Redis
     * @param username  the Redis ACL user ({@code RATE_LIMIT_REDIS_USERNAME}); none: the default user
     * @param password  its password ({@code RATE_LIMIT_REDIS_PASSWORD}, from a secret); none: no AUTH.
     *                  Use {@code rediss://} in {@code url} for TLS.
     */
    public record Redis(
            @NotNull @DefaultValue("redis://127.0.0.1:6379") URI url,
            @NotNull @DefaultValue("100ms") Duration timeout,
            @NotNull @DefaultValue("local") FailureMode onFailure,
            @NotBlank @DefaultValue("ratelimit:") String keyPrefix,
            String username,
            String password) {

        /** Where and as whom to connect; the password is never part of {@link #url()} or {@link #toString()}. */
        public io.lettuce.core.RedisURI redisUri() {
            io.lettuce.core.RedisURI uri = io.lettuce.core.RedisURI.create(url);
            if (password != null && !password.isEmpty()) {
                if (username != null && !username.isEmpty()) {
                    uri.setUsername(username);
                }
                uri.setPassword(password.toCharArray());
            }
            return uri;
        }

        @Override
        public String toString() {
            return "Redis[url=" + url.getScheme() + "://" + url.getHost() + ":" + url.getPort() + ", timeout=" + timeout + ", onFailure="
                    + onFailure + ", username=" + username + ", password=" + (password == null ? "none" : "(set)") + "]";
        }
    }
}
