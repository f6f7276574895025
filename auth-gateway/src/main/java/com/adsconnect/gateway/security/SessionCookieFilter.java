package com.adsconnect.gateway.security;

import static com.adsconnect.gateway.problem.GatewayProblems.problem;

import com.adsconnect.gateway.problem.GatewayProblems;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Same-site front ends send Clerk's session token in the {@code __session} cookie instead of an
 * {@code Authorization} header. A cookie travels with requests that other sites trigger, so an
 * unsafe method authenticated by it must come from one of {@code gateway.allowed-origins}
 * ({@code Origin}, else {@code Referer}): the standard-header origin check. The token then moves
 * into {@code Authorization}, where the resource server and account-service look for it. A
 * request with more than one {@code __session} cookie is refused (400): another (sub)domain's
 * cookie must not stand in for the user's.
 */
final class SessionCookieFilter implements WebFilter {

    static final String COOKIE = "__session";
    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final Set<String> allowedOrigins;
    private final GatewayProblems problems;
    private final MeterRegistry meters;

    SessionCookieFilter(Set<String> allowedOrigins, GatewayProblems problems, MeterRegistry meters) {
        this.allowedOrigins = allowedOrigins;
        this.problems = problems;
        this.meters = meters;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        // a request with its own Authorization is left alone: its cookies are not even parsed
        if (request.getHeaders().containsHeader(HttpHeaders.AUTHORIZATION)) {
            return chain.filter(exchange);
        }
        List<HttpCookie> sessions = request.getCookies().getOrDefault(COOKIE, List.of());
        if (sessions.isEmpty()) {
            return chain.filter(exchange);
        }
        if (sessions.size() > 1) {
            // a sibling subdomain can plant a second __session cookie (cookie tossing); which one the
            // browser sends first is not ours to choose, so neither is used
            meters.counter("gateway.session_cookie.rejections", "reason", "ambiguous").increment();
            return problems.write(exchange, problem(HttpStatus.BAD_REQUEST, "ambiguous-session-cookie", "Ambiguous session cookie",
                    "The request carries more than one __session cookie. Sign out and in again; if it persists, a "
                            + "cookie set for a parent or sibling domain must be removed."));
        }
        HttpCookie session = sessions.getFirst();
        if (session.getValue().isBlank()) {
            return chain.filter(exchange);
        }
        if (!SAFE.contains(request.getMethod()) && !fromAllowedOrigin(request.getHeaders())) {
            meters.counter("gateway.csrf.rejections").increment();
            return problems.write(exchange, problem(HttpStatus.FORBIDDEN, "csrf-rejected", "Cross-site request refused",
                    "A request authenticated by the session cookie must come from an allowed origin."));
        }
        ServerHttpRequest withBearer = request.mutate()
                .headers(headers -> headers.setBearerAuth(session.getValue()))
                .build();
        return chain.filter(exchange.mutate().request(withBearer).build());
    }

    private boolean fromAllowedOrigin(HttpHeaders headers) {
        String origin = headers.getOrigin();
        if (origin != null) {
            return allowedOrigins.contains(origin);
        }
        String referer = headers.getFirst(HttpHeaders.REFERER);
        if (referer == null) {
            return false;
        }
        try {
            URI uri = URI.create(referer);
            String refererOrigin = uri.getScheme() + "://" + uri.getRawAuthority();
            return allowedOrigins.contains(refererOrigin);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
