package com.adsconnect.account.connection;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.security.SignedInUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
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

/**
 * The signed-in user's Amazon connections, as the API had them before there were other providers:
 * kept as aliases of {@code /api/v1/integrations} for existing clients (same answers; the list
 * shows Amazon connections only). Another user's connection answers 404.
 */
@Tag(name = "Amazon connections")
@RestController
@RequestMapping("/api/v1/amazon/connections")
class ConnectionController {

    private final ConnectionService service;

    ConnectionController(ConnectionService service) {
        this.service = service;
    }

    record StartRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "NA", allowableValues = {"NA", "EU", "FE"}) String region) {
    }

    record CallbackRequest(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "ANbYxYzVmRvWnTsO", description = "the code the provider redirected back with") String code,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "9f2c5d1e7b", description = "the state from the start of the connection") String state) {
        /** The authorization code and the state are secrets: neither is printed. */
        @Override
        public String toString() {
            return "CallbackRequest[code=" + (code == null ? "none" : "(redacted)") + ", state=" + (state == null ? "none" : "(redacted)") + "]";
        }
    }

    /** Step 1: where to send the browser to authorize (Login with Amazon) and the state to bring back. */
    @Operation(operationId = "startAmazonConnection", summary = "Start connecting an Amazon Ads account in a region")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @PostMapping
    @ResponseStatus(HttpStatus.CREATED)
    Mono<AuthorizationStart> start(Mono<SignedInUser> signedIn, @RequestBody StartRequest request) {
        return signedIn
                .flatMap(user -> service.start(user.id(), Provider.AMAZON, request.region()));
    }

    /** Step 2: the front end posts what Amazon redirected back with. */
    @Operation(operationId = "completeAmazonConnection", summary = "Finish connecting with Amazon's authorization code")
    @ProblemAnswers({"VALIDATION_FAILED", "OAUTH_STATE_INVALID", "PROVIDER_AUTHORIZATION_FAILED", "PROVIDER_UNAVAILABLE", "PROVIDER_RATE_LIMITED", "PROVIDER_ACCOUNT_MISMATCH", "PROVIDER_ACCOUNT_WITHOUT_PROFILES", "CONNECTION_MISSING_SCOPES"})
    @PostMapping("/callback")
    Mono<ConnectionView> callback(Mono<SignedInUser> signedIn, @RequestBody CallbackRequest request, ServerWebExchange exchange) {
        return service.complete(signedIn, request.code(), request.state(), RequestOrigin.of(exchange.getRequest()));
    }

    @Operation(operationId = "listAmazonConnections", summary = "The user's Amazon connections")
    @GetMapping
    Mono<List<ConnectionView>> list(Mono<SignedInUser> signedIn) {
        return signedIn.flatMap(user -> service.list(user.id(), Provider.AMAZON));
    }

    @Operation(operationId = "getAmazonConnection", summary = "One Amazon connection")
    @ProblemAnswers({"NOT_FOUND"})
    @GetMapping("/{id}")
    Mono<ConnectionView> get(Mono<SignedInUser> signedIn, @PathVariable UUID id) {
        return signedIn.flatMap(user -> service.get(user.id(), id));
    }

    @Operation(operationId = "syncAmazonConnection", summary = "Read the connection's Amazon Ads profiles again")
    @ProblemAnswers({"NOT_FOUND", "CONNECTION_NOT_USABLE", "PROVIDER_UNAVAILABLE", "PROVIDER_RATE_LIMITED"})
    @PostMapping("/{id}/sync")
    Mono<ConnectionView> sync(Mono<SignedInUser> signedIn, @PathVariable UUID id, ServerWebExchange exchange) {
        return signedIn
                .flatMap(user -> service.sync(user.id(), id, RequestOrigin.of(exchange.getRequest())));
    }

    /** A new authorization URL whose callback updates this connection and makes it ACTIVE again. */
    @Operation(operationId = "reauthorizeAmazonConnection", summary = "Sign in to Amazon again for this connection")
    @ProblemAnswers({"NOT_FOUND"})
    @PostMapping("/{id}/reauthorize")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<AuthorizationStart> reauthorize(Mono<SignedInUser> signedIn, @PathVariable UUID id) {
        return signedIn.flatMap(user -> service.reauthorize(user.id(), id));
    }

    /** Deletes the token material and marks the connection DISCONNECTED; the audit trail stays. */
    @Operation(operationId = "disconnectAmazonConnection", summary = "Disconnect an Amazon connection")
    @ProblemAnswers({"NOT_FOUND"})
    @DeleteMapping("/{id}")
    Mono<ConnectionView> disconnect(Mono<SignedInUser> signedIn, @PathVariable UUID id, ServerWebExchange exchange) {
        return signedIn
                .flatMap(user -> service.disconnect(user.id(), id, RequestOrigin.of(exchange.getRequest())));
    }
}
