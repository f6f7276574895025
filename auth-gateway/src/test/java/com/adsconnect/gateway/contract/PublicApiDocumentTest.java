package com.adsconnect.gateway.contract;

import static com.adsconnect.testsupport.Infrastructure.CLERK;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.testsupport.RealInfrastructure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The front end reads the public API document from the gateway, before anyone signs in and while
 * account-service is down (here: nothing listens behind the gateway): the committed document, byte
 * for byte, cacheable and revalidated with its ETag. The internal document is not reachable here.
 */
// the same context as GatewayRoutesTest's (no backend), started once for both
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"gateway.account-service-url=http://127.0.0.1:9", "gateway.circuit-breaker.minimum-calls=4",
                "gateway.circuit-breaker.sliding-window-size=4", "gateway.circuit-breaker.open-for=30s"})
@AutoConfigureWebTestClient
@RealInfrastructure(CLERK)
class PublicApiDocumentTest {

    @Autowired
    WebTestClient web;

    @Test
    void theCommittedPublicDocumentIsServedWithoutASessionAndCached() throws IOException {
        byte[] committed = Files.readAllBytes(Path.of("..", "docs", "api", "public.yaml"));
        var answer = web.mutate().codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024)).build()
                .get().uri("/openapi/public.yaml").exchange()
                .expectStatus().isOk()
                .expectHeader().contentType("application/yaml")
                .expectHeader().cacheControl(org.springframework.http.CacheControl.maxAge(java.time.Duration.ofMinutes(5)).cachePublic())
                .expectBody(byte[].class).returnResult();
        assertThat(answer.getResponseBody()).isEqualTo(committed);
        assertThat(new String(committed, java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("/internal/");
        String etag = answer.getResponseHeaders().getETag();
        assertThat(etag).matches("\"[0-9a-f]{64}\"");

        web.get().uri("/openapi/public.yaml").header("If-None-Match", etag).exchange()
                .expectStatus().isNotModified()
                .expectHeader().valueEquals("ETag", etag)
                .expectBody().isEmpty();
        web.get().uri("/openapi/public.yaml").header("If-None-Match", "\"an-older-version\"").exchange()
                .expectStatus().isOk();
    }

    @Test
    void springdocsDocumentsAreNotRouted() {
        web.get().uri("/v3/api-docs/internal").exchange().expectStatus().isNotFound();
        web.get().uri("/v3/api-docs/public").exchange().expectStatus().isNotFound();
        web.get().uri("/openapi/internal.yaml").exchange().expectStatus().isNotFound();
    }
}
