package com.adsconnect.gateway.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The public API's OpenAPI document where the front end is: {@code GET /openapi/public.yaml} on the
 * gateway, without a session (a client generator reads it before anyone signs in), cacheable, with
 * a strong {@code ETag} (a conditional request answers 304). It is {@code docs/api/public.yaml} as
 * committed, packaged into this jar at build time: the reviewed contract, which account-service's
 * suite keeps equal to what it serves. The internal document is not here.
 */
@Configuration(proxyBeanMethods = false)
class PublicApiDocument {

    static final String PATH = "/openapi/public.yaml";
    static final MediaType YAML = MediaType.parseMediaType("application/yaml");
    private static final CacheControl CACHE = CacheControl.maxAge(Duration.ofMinutes(5)).cachePublic();

    @Bean
    RouterFunction<ServerResponse> publicApiDocumentRoute() {
        byte[] document = read("contract/public.yaml");
        String etag = "\"" + sha256(document) + "\"";
        return RouterFunctions.route()
                .GET(PATH, request -> request.headers().header("If-None-Match").stream()
                        .anyMatch(value -> value.equals(etag) || value.equals("*"))
                        ? ServerResponse.status(HttpStatus.NOT_MODIFIED).eTag(etag).cacheControl(CACHE).build()
                        : ServerResponse.ok().contentType(YAML).eTag(etag).cacheControl(CACHE).bodyValue(document))
                .build();
    }

    private static byte[] read(String resource) {
        try (InputStream in = new ClassPathResource(resource).getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("the public API document is packaged with the gateway: " + resource, e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
