package com.adsconnect.account;

import com.adsconnect.account.support.AccountServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Without pre-loading, the first request builds the document (classpath scan, springdoc's lock):
 * the path a request takes when it races the start-up pre-loading. BlockHound fails it with a
 * 500 if that work ran on an event loop.
 */
@AccountServiceTest
@TestPropertySource(properties = "springdoc.pre-loading-enabled=false")
class OpenApiDocumentTest {

    @Autowired
    WebTestClient web;

    @Test
    void describesThePublicApi() {
        web.get().uri("/v3/api-docs/public").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.paths['/api/v1/me'].get").exists()
                .jsonPath("$.paths['/api/v1/me'].patch").exists()
                .jsonPath("$.paths['/api/v1/me/preferences'].patch").exists()
                .jsonPath("$.paths['/api/v1/me/preferences/history/{revision}/restore'].post").exists()
                .jsonPath("$.paths['/api/v1/me/audit-events'].get").exists()
                .jsonPath("$.paths['/webhooks/clerk'].post").exists();
        web.get().uri("/swagger-ui.html").exchange().expectStatus().is3xxRedirection();
    }
}
