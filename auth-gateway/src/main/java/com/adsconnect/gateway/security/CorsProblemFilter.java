package com.adsconnect.gateway.security;

import static com.adsconnect.gateway.problem.GatewayProblems.problem;

import com.adsconnect.gateway.problem.GatewayProblems;
import org.springframework.http.HttpStatus;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.CorsProcessor;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.cors.reactive.DefaultCorsProcessor;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Spring's CORS handling, with the refusal of a disallowed origin written as a problem detail
 * ({@code cors-rejected}) instead of an empty 403. Preflights are answered here, before
 * authentication: browsers send them without credentials.
 */
final class CorsProblemFilter implements WebFilter {

    private final CorsConfigurationSource source;
    private final CorsProcessor processor = new DefaultCorsProcessor();
    private final GatewayProblems problems;

    CorsProblemFilter(CorsConfigurationSource source, GatewayProblems problems) {
        this.source = source;
        this.problems = problems;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        CorsConfiguration configuration = source.getCorsConfiguration(exchange);
        boolean allowed = processor.process(configuration, exchange);
        if (!allowed) {
            return problems.write(exchange, problem(HttpStatus.FORBIDDEN, "cors-rejected", "Cross-origin request refused",
                    "This origin may not call the API."));
        }
        if (CorsUtils.isPreFlightRequest(exchange.getRequest())) {
            return Mono.empty();
        }
        return chain.filter(exchange);
    }
}
