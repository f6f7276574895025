package com.adsconnect.account.admin;

import io.r2dbc.postgresql.codec.Json;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatusCode;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every admin API call an API key got through with, recorded in {@code admin_audit_events} once it
 * has been answered: the key's name, the call (method and path), its query (what was searched for),
 * the answer's status. Runs after Spring Security: calls it refuses (no valid key: 401; a key
 * without the scope: 403) never get here, and are answered before anything is read. An export is
 * recorded when it has been streamed to its end (or cut off).
 */
@Component
@Order(10)
class AdminAccessAudit implements WebFilter {

    private static final Logger log = LoggerFactory.getLogger(AdminAccessAudit.class);
    static final String PREFIX = "/internal/v1/admin/";

    private final DatabaseClient db;
    private final JsonMapper json;

    AdminAccessAudit(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.startsWith(PREFIX)) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange)
                .then(Mono.defer(() -> record(exchange, path)))
                .onErrorResume(error -> record(exchange, path).then(Mono.error(error)));
    }

    private Mono<Void> record(ServerWebExchange exchange, String path) {
        return exchange.getPrincipal().map(Principal::getName).defaultIfEmpty("(none)")
                .flatMap(key -> {
                    Map<String, Object> query = new LinkedHashMap<>(exchange.getRequest().getQueryParams().toSingleValueMap());
                    HttpStatusCode status = exchange.getResponse().getStatusCode();
                    String target = path.substring(PREFIX.length());
                    return db.sql("""
                                    INSERT INTO admin_audit_events (key_name, action, target, parameters, status)
                                    VALUES (:key, :action, :target, :parameters, :status)""")
                            .bind("key", key)
                            .bind("action", exchange.getRequest().getMethod().name() + " " + actionOf(target))
                            .bind("target", target)
                            .bind("parameters", Parameter.fromOrEmpty(query.isEmpty() ? null : Json.of(json.writeValueAsString(query)), Json.class))
                            .bind("status", status == null ? 200 : status.value())
                            .fetch().rowsUpdated().then();
                })
                .onErrorResume(error -> {
                    log.error("an admin API call could not be recorded in the admin audit trail: {}", error.toString());
                    return Mono.empty();
                });
    }

    /** The call without its ids: {@code connections/{id}/refresh}. */
    static String actionOf(String target) {
        return target.replaceAll("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", "{id}");
    }
}
