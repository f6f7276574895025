package com.adsconnect.account.security;

import java.util.List;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The scope a service API key needs for each part of the internal API, in the order they are
 * matched: the security chain enforces them ({@code SecurityConfiguration}), the internal API
 * document names them per operation.
 */
public final class InternalApiScopes {

    /** {@code method} null: any method. */
    record Rule(HttpMethod method, String pattern, String scope) {
    }

    static final List<Rule> RULES = List.of(
            new Rule(null, "/internal/v1/tokens", "tokens:read"),
            new Rule(null, "/internal/v1/refresh/**", "refresh:lease"),
            // the admin API: reading needs admin:read, acting admin:write
            new Rule(HttpMethod.GET, "/internal/v1/admin/**", "admin:read"),
            new Rule(null, "/internal/v1/admin/**", "admin:write"));

    private InternalApiScopes() {
    }

    /** The scope for a documented operation ({@code path} may hold templates such as {@code {id}}). */
    public static String scopeFor(String method, String path) {
        return RULES.stream()
                .filter(rule -> (rule.method() == null || rule.method().name().equals(method)) && PathPatternParser.defaultInstance.parse(rule.pattern()).matches(PathContainer.parsePath(path)))
                .map(Rule::scope)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no scope for " + method + " " + path + ": every internal path needs one"));
    }
}
