package com.adsconnect.clerk;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Clerk's signing keys, fetched from the JWKS URL and cached. Unlike Spring's default reactive
 * source, an unknown {@code kid} refetches at most once per {@code minRefreshInterval}: a flood of
 * tokens with made-up key ids must not become a flood of requests to Clerk. Concurrent fetches are
 * shared, and when Clerk cannot be reached the last good key set keeps being used.
 */
final class ClerkJwksSource implements Function<SignedJWT, Flux<JWK>> {

    private static final Logger log = LoggerFactory.getLogger(ClerkJwksSource.class);

    private record Cached(JWKSet keys, Instant fetchedAt) {
    }

    private final WebClient webClient;
    private final URI jwksUrl;
    private final Duration ttl;
    private final Duration minRefreshInterval;
    private final Duration timeout;
    private final Clock clock;
    private final AtomicReference<Cached> cached = new AtomicReference<>();
    private final AtomicReference<Instant> lastFetchAttempt = new AtomicReference<>(Instant.EPOCH);
    private final AtomicReference<Mono<JWKSet>> inFlight = new AtomicReference<>();

    ClerkJwksSource(WebClient webClient, URI jwksUrl, Duration ttl, Duration minRefreshInterval, Duration timeout, Clock clock) {
        this.webClient = webClient;
        this.jwksUrl = jwksUrl;
        this.ttl = ttl;
        this.minRefreshInterval = minRefreshInterval;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public Flux<JWK> apply(SignedJWT jwt) {
        JWKSelector selector = new JWKSelector(JWKMatcher.forJWSHeader(jwt.getHeader()));
        Cached current = cached.get();
        if (current != null && !isStale(current)) {
            List<JWK> keys = selector.select(current.keys());
            if (!keys.isEmpty() || !mayRefetch()) {
                return Flux.fromIterable(keys);
            }
        }
        return fetch().flatMapIterable(selector::select);
    }

    /**
     * Whether a key of this id is in the key set as last fetched, while that set is fresh (not
     * older than the TTL). False once it is stale: a caller that then verifies a token in full
     * makes this source fetch the keys again.
     */
    boolean publishes(String keyId) {
        Cached current = cached.get();
        return keyId != null && current != null && !isStale(current) && current.keys().getKeyByKeyId(keyId) != null;
    }

    private boolean isStale(Cached current) {
        return current.fetchedAt().plus(ttl).isBefore(clock.instant());
    }

    private boolean mayRefetch() {
        return lastFetchAttempt.get().plus(minRefreshInterval).isBefore(clock.instant());
    }

    /** One fetch at a time; callers arriving meanwhile share its result. */
    private Mono<JWKSet> fetch() {
        Mono<JWKSet> existing = inFlight.get();
        if (existing != null) {
            return existing;
        }
        if (!mayRefetch() && cached.get() != null) {
            return Mono.just(cached.get().keys());
        }
        Mono<JWKSet> request = webClient.get().uri(jwksUrl)
                .accept(MediaType.APPLICATION_JSON)
                .retrieve()
                .bodyToMono(String.class)
                .timeout(timeout)
                .map(ClerkJwksSource::parse)
                .doOnSubscribe(subscription -> lastFetchAttempt.set(clock.instant()))
                .doOnNext(keys -> cached.set(new Cached(keys, clock.instant())))
                .onErrorResume(error -> {
                    Cached lastGood = cached.get();
                    log.warn("cannot fetch Clerk JWKS from {}: {}{}", jwksUrl, error.toString(),
                            lastGood == null ? "" : "; keeping the keys fetched at " + lastGood.fetchedAt());
                    return lastGood == null ? Mono.error(error) : Mono.just(lastGood.keys());
                })
                .doFinally(signal -> inFlight.set(null))
                .cache();
        if (inFlight.compareAndSet(null, request)) {
            return request;
        }
        Mono<JWKSet> other = inFlight.get();
        return other != null ? other : request;
    }

    private static JWKSet parse(String body) {
        try {
            return JWKSet.parse(body);
        } catch (ParseException e) {
            throw new IllegalStateException("the JWKS document is not a JWK set", e);
        }
    }
}
