package com.adsconnect.gateway.security;

import com.adsconnect.clerk.TokenRejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/** Counts refused session tokens by reason ({@code gateway.jwt.failures{reason}}). */
final class MeteredJwtDecoder implements ReactiveJwtDecoder {

    private final ReactiveJwtDecoder delegate;
    private final Map<TokenRejection, Counter> failures = new EnumMap<>(TokenRejection.class);

    MeteredJwtDecoder(ReactiveJwtDecoder delegate, MeterRegistry meters) {
        this.delegate = delegate;
        for (TokenRejection reason : TokenRejection.values()) {
            failures.put(reason, Counter.builder("gateway.jwt.failures")
                    .description("Clerk session tokens refused, by reason")
                    .tag("reason", reason.code())
                    .register(meters));
        }
    }

    @Override
    public Mono<Jwt> decode(String token) {
        return delegate.decode(token)
                .doOnError(error -> failures.get(TokenRejection.of(token, error)).increment());
    }
}
