package com.adsconnect.account.apidocs;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * springdoc builds the OpenAPI document synchronously under a lock, scanning the classpath; its
 * start-up pre-loading runs on its own thread and holds that lock. A request for the document that
 * arrives meanwhile would park a Netty event loop, so the document is always served from the
 * bounded elastic scheduler. Only the documentation paths take this detour.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ApiDocsOffEventLoopFilter implements WebFilter {

    private final String apiDocsPath;

    ApiDocsOffEventLoopFilter(@Value("${springdoc.api-docs.path:/v3/api-docs}") String apiDocsPath) {
        this.apiDocsPath = apiDocsPath;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!exchange.getRequest().getPath().pathWithinApplication().value().startsWith(apiDocsPath)) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange).subscribeOn(Schedulers.boundedElastic());
    }
}
