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

/**
 * springdoc also serves one document of every path at its root ({@code /v3/api-docs}), which would
 * mix the internal API into what a front-end developer reads. Only the groups are served: the
 * public and the internal document ({@link ApiContractConfiguration}); the root answers 404.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class GroupedDocumentsOnlyFilter implements WebFilter {

    private final Set<String> ungrouped;

    GroupedDocumentsOnlyFilter(@Value("${springdoc.api-docs.path:/v3/api-docs}") String apiDocsPath) {
        this.ungrouped = Set.of(apiDocsPath, apiDocsPath + "/", apiDocsPath + ".yaml", apiDocsPath + ".yaml/");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (ungrouped.contains(exchange.getRequest().getPath().pathWithinApplication().value())) {
            return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "Read /v3/api-docs/public or /v3/api-docs/internal."));
        }
        return chain.filter(exchange);
    }
}
