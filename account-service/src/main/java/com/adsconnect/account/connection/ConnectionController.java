package com.adsconnect.account.connection;

import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.user.CurrentUsers;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** The signed-in user's Amazon connections. Another user's connection answers 404. */
@RestController
@RequestMapping("/api/v1/amazon/connections")
class ConnectionController {

    private final CurrentUsers currentUsers;
    private final ConnectionService service;

    ConnectionController(CurrentUsers currentUsers, ConnectionService service) {
        this.currentUsers = currentUsers;
        this.service = service;
    }

    record StartRequest(String region) {
    }

    record CallbackRequest(String code, String state) {
    }

    /** Step 1: where to send the browser to authorize (Login with Amazon) and the state to bring back. */
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Mono<AuthorizationStart> start(@AuthenticationPrincipal Jwt token, @RequestBody StartRequest request, ServerWebExchange exchange) {
        return currentUsers.require(token, exchange)
                .flatMap(user -> service.start(user.id(), Provider.AMAZON, request.region()));
    }

    /** Step 2: the front end posts what Amazon redirected back with. */
    @PostMapping("/callback")
    Mono<ConnectionView> callback(@AuthenticationPrincipal Jwt token, @RequestBody CallbackRequest request, ServerWebExchange exchange) {
        if (request.state() == null || request.state().isBlank()) {
            return Mono.error(ApiProblem.invalidField("state", "is required"));
        }
        return currentUsers.require(token, exchange)
                .flatMap(user -> service.complete(user.id(), request.code(), request.state(), RequestOrigin.of(exchange.getRequest())));
    }

    @GetMapping
    Mono<List<ConnectionView>> list(@AuthenticationPrincipal Jwt token, ServerWebExchange exchange) {
        return currentUsers.require(token, exchange).flatMap(user -> service.list(user.id()));
    }

    @GetMapping("/{id}")
    Mono<ConnectionView> get(@AuthenticationPrincipal Jwt token, @PathVariable UUID id, ServerWebExchange exchange) {
        return currentUsers.require(token, exchange).flatMap(user -> service.get(user.id(), id));
    }

    @PostMapping("/{id}/sync")
    Mono<ConnectionView> sync(@AuthenticationPrincipal Jwt token, @PathVariable UUID id, ServerWebExchange exchange) {
        return currentUsers.require(token, exchange)
                .flatMap(user -> service.sync(user.id(), id, RequestOrigin.of(exchange.getRequest())));
    }

    /** A new authorization URL whose callback updates this connection and makes it ACTIVE again. */
    @PostMapping("/{id}/reauthorize")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<AuthorizationStart> reauthorize(@AuthenticationPrincipal Jwt token, @PathVariable UUID id, ServerWebExchange exchange) {
        return currentUsers.require(token, exchange).flatMap(user -> service.reauthorize(user.id(), id));
    }

    /** Deletes the token material and marks the connection DISCONNECTED; the audit trail stays. */
    @DeleteMapping("/{id}")
    Mono<ConnectionView> disconnect(@AuthenticationPrincipal Jwt token, @PathVariable UUID id, ServerWebExchange exchange) {
        return currentUsers.require(token, exchange)
                .flatMap(user -> service.disconnect(user.id(), id, RequestOrigin.of(exchange.getRequest())));
    }
}
