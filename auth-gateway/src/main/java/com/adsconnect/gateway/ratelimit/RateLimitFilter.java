package com.adsconnect.gateway.ratelimit;

import static com.adsconnect.gateway.problem.GatewayProblems.problem;

import com.adsconnect.gateway.problem.GatewayProblems;
import com.adsconnect.gateway.ratelimit.RateLimitProperties.Key;
import com.adsconnect.gateway.ratelimit.RateLimitProperties.Plan;
import com.adsconnect.gateway.ratelimit.RateLimitProperties.RouteRule;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Takes one token per routed request from the caller's bucket for the request's plan: the user's
 * (the session token's {@code sub}) on authenticated routes, the client address on the webhook.
 * Every answer carries the budget in the IETF draft's {@code RateLimit-Policy} and
 * {@code RateLimit} fields; a request over the budget gets 429 with {@code Retry-After} and never
 * reaches the backend.
 */
final class RateLimitFilter implements GlobalFilter, Ordered {

    private record Rule(RouteRule rule, PathPattern pattern) {
    }

    private record PlanLimit(String name, Plan plan, BucketConfiguration configuration, String policyHeader) {
    }

    private final List<Rule> rules;
    private final Map<String, PlanLimit> plans = new LinkedHashMap<>();
    private final PlanLimit defaultPlan;
    private final RateLimiter limiter;
    private final GatewayProblems problems;
    private final MeterRegistry meters;

    RateLimitFilter(RateLimitProperties properties, RateLimiter limiter, GatewayProblems problems, MeterRegistry meters) {
        this.limiter = limiter;
        this.problems = problems;
        this.meters = meters;
        properties.plans().forEach((name, plan) -> plans.put(name, new PlanLimit(name, plan,
                BucketConfiguration.builder()
                        .addLimit(Bandwidth.builder().capacity(plan.capacity()).refillGreedy(plan.capacity(), plan.period()).build())
                        .build(),
                "\"%s\";q=%d;w=%d".formatted(name, plan.capacity(), plan.period().toSeconds()))));
        this.defaultPlan = plans.get(properties.defaultPlan());
        PathPatternParser parser = PathPatternParser.defaultInstance;
        this.rules = properties.routes().stream().map(rule -> new Rule(rule, parser.parse(rule.path()))).toList();
    }

    @Override
    public int getOrder() {
        // before the load balancer and the routing filter: a refused request opens no connection
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        Rule rule = ruleFor(exchange.getRequest());
        PlanLimit plan = rule == null ? defaultPlan : plans.get(rule.rule().plan());
        Key keyKind = rule == null ? Key.USER : rule.rule().key();
        return callerKey(exchange, keyKind)
                .flatMap(caller -> limiter.tryConsume(plan.name() + ":" + caller, plan.configuration()))
                .flatMap(decision -> switch (decision) {
                    case RateLimiter.Decision.Unlimited unlimited -> chain.filter(exchange);
                    case RateLimiter.Decision.Unavailable unavailable -> problems.write(exchange,
                            problem(HttpStatus.SERVICE_UNAVAILABLE, "service-unavailable", "Service unavailable",
                                    "The gateway cannot check the request budget right now. Retry after the indicated delay."),
                            headers -> headers.set(HttpHeaders.RETRY_AFTER, "1"));
                    case RateLimiter.Decision.Limited limited -> answer(exchange, chain, plan, limited.probe());
                });
    }

    /** The first rule matching the request, or null: asked on every request, so a loop, not a stream. */
    private Rule ruleFor(ServerHttpRequest request) {
        for (Rule rule : rules) {
            if ((rule.rule().method() == null || rule.rule().method().equals(request.getMethod()))
                    && rule.pattern().matches(request.getPath().pathWithinApplication())) {
                return rule;
            }
        }
        return null;
    }

    private Mono<Void> answer(ServerWebExchange exchange, GatewayFilterChain chain, PlanLimit plan, ConsumptionProbe probe) {
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.set("RateLimit-Policy", plan.policyHeader());
        // on every answer: plain concatenation, not a format string parsed per request
        headers.set("RateLimit", "\"" + plan.name() + "\";r=" + probe.getRemainingTokens() + ";t=" + ceilSeconds(probe.getNanosToWaitForReset()));
        if (probe.isConsumed()) {
            return chain.filter(exchange);
        }
        meters.counter("gateway.rate_limit.rejections", "plan", plan.name()).increment();
        long retryAfter = Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
        return problems.write(exchange,
                problem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests",
                        "The request budget of plan '" + plan.name() + "' is used up. Retry after the indicated delay."),
                h -> h.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter)));
    }

    private static Mono<String> callerKey(ServerWebExchange exchange, Key kind) {
        Mono<String> clientIp = Mono.fromSupplier(() -> {
            InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
            return "ip:" + (remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress());
        });
        if (kind == Key.CLIENT_IP) {
            return clientIp;
        }
        return exchange.getPrincipal().map(Principal::getName).map(sub -> "user:" + sub).switchIfEmpty(clientIp);
    }

    private static long ceilSeconds(long nanos) {
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }
}
