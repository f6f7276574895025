package com.adsconnect.clerk;

import io.netty.channel.ChannelOption;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;

/**
 * Builds the decoder every service uses for Clerk session tokens: RS256 only, then the claim
 * checks of {@link ClerkTokenValidators}. With {@code clerk.jwt-key} set no network call is made;
 * otherwise the keys come from the JWKS URL through {@link ClerkJwksSource}'s cache. Tokens that
 * passed are kept in a {@link VerifiedTokenCache} (its rules are the same in every service).
 */
public final class ClerkJwtDecoders {

    private static final int JWKS_MAX_BYTES = 64 * 1024;

    private ClerkJwtDecoders() {
    }

    public static ReactiveJwtDecoder create(ClerkProperties clerk, WebClient.Builder webClientBuilder, Clock clock) {
        return create(clerk, webClientBuilder, clock, UnaryOperator.identity());
    }

    /** As {@link #create(ClerkProperties, WebClient.Builder, Clock)}, with {@code fullCheck} around the signature and claim checks. */
    static ReactiveJwtDecoder create(ClerkProperties clerk, WebClient.Builder webClientBuilder, Clock clock,
            UnaryOperator<ReactiveJwtDecoder> fullCheck) {
        NimbusReactiveJwtDecoder decoder;
        // which keys still sign: with a PEM key, that one key for good; else the JWKS as last fetched, while fresh
        Predicate<String> keyPublished;
        if (clerk.hasPemKey()) {
            keyPublished = keyId -> true;
            decoder = NimbusReactiveJwtDecoder.withPublicKey(parsePem(clerk.jwtKey()))
                    .signatureAlgorithm(SignatureAlgorithm.RS256)
                    .build();
        } else {
            HttpClient httpClient = HttpClient.create()
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(clerk.jwksTimeout().toMillis(), 2_000))
                    .responseTimeout(clerk.jwksTimeout());
            WebClient webClient = webClientBuilder.clone()
                    .clientConnector(new ReactorClientHttpConnector(httpClient))
                    .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(JWKS_MAX_BYTES))
                    .build();
            var keys = new ClerkJwksSource(webClient, clerk.effectiveJwksUrl(), clerk.jwksCacheTtl(),
                    clerk.jwksRefreshMinInterval(), clerk.jwksTimeout(), clock);
            keyPublished = keys::publishes;
            decoder = NimbusReactiveJwtDecoder.withJwkSource(keys)
                    .jwsAlgorithm(SignatureAlgorithm.RS256)
                    .build();
        }
        decoder.setJwtValidator(ClerkTokenValidators.forProperties(clerk, clock));
        ReactiveJwtDecoder checked = fullCheck.apply(decoder);
        return clerk.verifiedTokenCacheSize() == 0 ? checked
                : new VerifiedTokenCache(checked, keyPublished, clerk.verifiedTokenCacheSize(), clock);
    }

    static RSAPublicKey parsePem(String pem) {
        String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "")
                .replace("-----END PUBLIC KEY-----", "")
                .replace("\\n", "")
                .replaceAll("\\s", "");
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (Exception e) {
            throw new IllegalStateException("clerk.jwt-key is not a PEM-encoded RSA public key", e);
        }
    }
}
