package com.adsconnect.account.tracing;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Returns the request's W3C trace context in a {@code traceresponse} header (W3C Trace Context
 * Level 2), so a caller can quote the trace id of any answer, error or not, when reporting it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class TraceResponseHeaderFilter implements WebFilter {

    static final String HEADER = "traceresponse";

    private final TraceContexts traces;

    TraceResponseHeaderFilter(TraceContexts traces) {
        this.traces = traces;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        exchange.getResponse().beforeCommit(() -> {
            // the same W3C form as traceparent: version, trace id, span id, flags
            ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                    .flatMap(TraceContexts::spanOf)
                    .map(traces::traceparentOf)
                    .ifPresent(context -> exchange.getResponse().getHeaders().set(HEADER, context));
            return Mono.empty();
        });
        return chain.filter(exchange);
    }
}
