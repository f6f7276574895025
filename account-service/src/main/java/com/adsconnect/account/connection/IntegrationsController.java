package com.adsconnect.account.connection;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.provider.ProviderAdapter;
import com.adsconnect.account.provider.ProviderRegistry;
import com.adsconnect.account.security.SignedInUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The signed-in user's integrations with every advertising provider: which providers can be
 * connected, the user's connections across them, the connect flow (start, one callback for every
 * provider, since the state says which), and per connection: read, rename, sync, re-authorize,
 * disconnect. The user-triggered refresh is {@code PUT /api/v1/integrations/{id}/refresh}
 * ({@code refresh} package). Another user's connection answers 404.
 */
@Tag(name = "Connections")
@RestController
@RequestMapping("/api/v1/integrations")
class IntegrationsController {

    private final ConnectionService service;
    private final ProviderRegistry providers;

    IntegrationsController(ConnectionService service, ProviderRegistry providers) {
        this.service = service;
        this.providers = providers;
    }

    /** A provider users can connect here: its regions (null: none to choose) and the scopes a connection needs. */
    record ProviderView(@Schema(example = "amazon") String provider, @Schema(example = "Amazon Ads") String name,
            @Schema(example = "[\"EU\", \"FE\", \"NA\"]", description = "the regions to choose from; null where the provider has one") @Nullable List<String> regions,
            @Schema(example = "[\"advertising::campaign_management\"]") Set<String> requiredScopes, @Schema(example = "true") boolean pkce,
            @Schema(example = "false", description = "whether disconnecting also revokes the grant at the provider") boolean revokesOnDisconnect) {
    }

    record StartRequest(@Schema(example = "NA", description = "Amazon's region (NA, EU, FE); omit for Google and Microsoft") String region) {
    }

    /** What a connection patch may carry (the contract; the patch itself is applied as JSON). */
    record ConnectionPatch(@Schema(types = {"string", "null"}, minLength = 1, maxLength = 100) String label) {
    }

    @Operation(operationId = "listConnections", summary = "The user's connections to every provider")
    @GetMapping
    Mono<List<ConnectionView>> list(Mono<SignedInUser> signedIn) {
        return signedIn.flatMap(user -> service.list(user.id(), null));
    }

    @Operation(operationId = "listProviders", summary = "The providers this deployment can connect")
    @GetMapping("/providers")
    List<ProviderView> providers() {
        return providers.all().stream()
                .map(adapter -> new ProviderView(adapter.provider().slug(), adapter.provider().displayName(),
                        adapter.defaultRegion() == null ? List.copyOf(adapter.regions()) : null, adapter.requiredScopes(),
                        adapter.usesPkce(), adapter.revokes()))
                .toList();
    }

    /** Step 1: where to send the browser to authorize, and the state to bring back. The region only where the provider has them. */
    @Operation(operationId = "startConnection", summary = "Start connecting a provider: where to send the browser")
    @ProblemAnswers({"NOT_FOUND", "PROVIDER_NOT_ENABLED", "VALIDATION_FAILED"})
    @PostMapping("/providers/{provider}/authorizations")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<AuthorizationStart> start(Mono<SignedInUser> signedIn, @PathVariable String provider,
            @RequestBody(required = false) StartRequest request) {
        Provider chosen = Provider.fromSlug(provider).orElse(null);
        if (chosen == null) {
            return Mono.error(ApiProblem.notFound("There is no provider " + printable(provider) + "; known: "
                    + String.join(", ", Arrays.stream(Provider.values()).map(Provider::slug).toList()) + "."));
        }
        return signedIn.flatMap(user -> service.start(user.id(), chosen, request == null ? null : request.region()));
    }

    /** Step 2: the front end posts what the provider redirected back with, whichever provider it was. */
    @Operation(operationId = "completeConnection", summary = "Finish connecting with the provider's authorization code")
    @ProblemAnswers({"VALIDATION_FAILED", "OAUTH_STATE_INVALID", "PROVIDER_AUTHORIZATION_FAILED", "PROVIDER_UNAVAILABLE", "PROVIDER_RATE_LIMITED", "PROVIDER_ACCOUNT_MISMATCH", "PROVIDER_ACCOUNT_WITHOUT_PROFILES", "CONNECTION_MISSING_SCOPES"})
    @PostMapping("/callback")
    Mono<ConnectionView> callback(Mono<SignedInUser> signedIn, @RequestBody ConnectionController.CallbackRequest request,
            ServerWebExchange exchange) {
        return service.complete(signedIn, request.code(), request.state(), RequestOrigin.of(exchange.getRequest()));
    }

    @Operation(operationId = "getConnection", summary = "One connection with its health and profiles")
    @ProblemAnswers({"NOT_FOUND"})
    @GetMapping("/{id}")
    Mono<ConnectionView> get(Mono<SignedInUser> signedIn, @PathVariable UUID id) {
        return signedIn.flatMap(user -> service.get(user.id(), id));
    }

    /** Renames the connection: {@code {"label": "EU brand account"}}, or {@code {"label": null}} to drop the name. */
    @Operation(operationId = "updateConnection", summary = "Rename a connection (JSON Merge Patch of its label)")
    @ProblemAnswers({"NOT_FOUND", "VALIDATION_FAILED"})
    @PatchMapping(path = "/{id}", consumes = {"application/json", "application/merge-patch+json"})
    Mono<ConnectionView> relabel(Mono<SignedInUser> signedIn, @PathVariable UUID id, @io.swagger.v3.oas.annotations.parameters.RequestBody(description = "JSON Merge Patch (RFC 7396): a new label, or null to drop it", content = {
            @Content(mediaType = "application/merge-patch+json", schema = @Schema(implementation = IntegrationsController.ConnectionPatch.class)),
            @Content(mediaType = "application/json", schema = @Schema(implementation = IntegrationsController.ConnectionPatch.class))})
            @RequestBody Map<String, Object> patch,
            ServerWebExchange exchange) {
        if (!patch.keySet().equals(Set.of("label"))) {
            return Mono.error(ApiProblem.invalidField(patch.keySet().stream().filter(key -> !"label".equals(key)).findFirst().orElse("label"),
                    "only label can be changed"));
        }
        Object label = patch.get("label");
        if (label != null && !(label instanceof String)) {
            return Mono.error(ApiProblem.invalidField("label", "must be a string or null"));
        }
        return signedIn.flatMap(user -> service.relabel(user.id(), id, (String) label, RequestOrigin.of(exchange.getRequest())));
    }

    @Operation(operationId = "syncConnection", summary = "Read the connection's advertising profiles from the provider again")
    @ProblemAnswers({"NOT_FOUND", "CONNECTION_NOT_USABLE", "PROVIDER_UNAVAILABLE", "PROVIDER_RATE_LIMITED"})
    @PostMapping("/{id}/sync")
    Mono<ConnectionView> sync(Mono<SignedInUser> signedIn, @PathVariable UUID id, ServerWebExchange exchange) {
        return signedIn.flatMap(user -> service.sync(user.id(), id, RequestOrigin.of(exchange.getRequest())));
    }

    /** A new authorization URL whose callback updates this connection and makes it ACTIVE again. */
    @Operation(operationId = "reauthorizeConnection", summary = "Sign in to the provider again for this connection: where to send the browser")
    @ProblemAnswers({"NOT_FOUND", "PROVIDER_NOT_ENABLED"})
    @PostMapping("/{id}/reauthorize")
    @ResponseStatus(HttpStatus.CREATED)
    Mono<AuthorizationStart> reauthorize(Mono<SignedInUser> signedIn, @PathVariable UUID id) {
        return signedIn.flatMap(user -> service.reauthorize(user.id(), id));
    }

    /** Deletes the token material, revokes the grant where the provider offers it, marks it DISCONNECTED; the audit trail stays. */
    @Operation(operationId = "disconnectConnection", summary = "Disconnect: revoke at the provider where possible and forget the tokens")
    @ProblemAnswers({"NOT_FOUND"})
    @DeleteMapping("/{id}")
    Mono<ConnectionView> disconnect(Mono<SignedInUser> signedIn, @PathVariable UUID id, ServerWebExchange exchange) {
        return signedIn.flatMap(user -> service.disconnect(user.id(), id, RequestOrigin.of(exchange.getRequest())));
    }

    private static String printable(String value) {
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return "'" + shown.replaceAll("[^A-Za-z0-9_.-]", "?") + "'";
    }
}
