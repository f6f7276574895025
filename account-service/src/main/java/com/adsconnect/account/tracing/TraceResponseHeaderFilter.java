package com.adsconnect.account.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.TracingObservationHandler;
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

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        exchange.getResponse().beforeCommit(() -> {
            ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                    .map(context -> context.<TracingObservationHandler.TracingContext>get(TracingObservationHandler.TracingContext.class))
                    .map(TracingObservationHandler.TracingContext::getSpan)
                    .map(Span::context)
                    .ifPresent(trace -> exchange.getResponse().getHeaders().set(HEADER, format(trace)));
            return Mono.empty();
        });
        return chain.filter(exchange);
    }

    private static String format(TraceContext trace) {
        return "00-" + trace.traceId() + "-" + trace.spanId() + "-" + (Boolean.TRUE.equals(trace.sampled()) ? "01" : "00");
    }
}
