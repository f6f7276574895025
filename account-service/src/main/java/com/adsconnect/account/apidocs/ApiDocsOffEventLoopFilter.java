package com.adsconnect.account.apidocs;

import java.util.Set;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The API documents' requests, the only ones this filter does anything for:
 *
 * <ul>
 *   <li>springdoc builds a document synchronously under a lock, scanning the classpath; its
 *       start-up pre-loading runs on its own thread and holds that lock. A request for a document
 *       that arrives meanwhile would park a Netty event loop, so documents are always served from
 *       the bounded elastic scheduler.</li>
 *   <li>springdoc also serves one document of every path at its root ({@code /v3/api-docs}), which
 *       would mix the internal API into what a front-end developer reads. Only the groups are
 *       served, the public and the internal document ({@link ApiContractConfiguration}); the root
 *       answers 404.</li>
 * </ul>
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ApiDocsOffEventLoopFilter implements WebFilter {

    private final String apiDocsPath;
    private final Set<String> ungrouped;

    ApiDocsOffEventLoopFilter(@Value("${springdoc.api-docs.path:/v3/api-docs}") String apiDocsPath) {
        this.apiDocsPath = apiDocsPath;
        this.ungrouped = Set.of(apiDocsPath, apiDocsPath + "/", apiDocsPath + ".yaml", apiDocsPath + ".yaml/");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.startsWith(apiDocsPath)) {
            return chain.filter(exchange);
        }
        if (ungrouped.contains(path)) {
            return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "Read /v3/api-docs/public or /v3/api-docs/internal."));
        }
        return chain.filter(exchange).subscribeOn(Schedulers.boundedElastic());
    }
}
