package com.adsconnect.account.refresh;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.connection.ConnectionStore;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.problem.ProblemTypes;
import com.adsconnect.account.refresh.RefreshCoordinator.UrgentClaim;
import com.adsconnect.account.security.SignedInUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * A user asking for their connection's token to be refreshed now (the UI's "refresh" button): the
 * same urgent claim as the internal token API, so the refresh goes through the lease pipeline like
 * every other and never runs twice at once. The answer says what happened; the outcome shows in
 * the connection's health and on {@code connection-status}. The gateway limits how often.
 */
@Tag(name = "Connections")
@RestController
class UserRefreshController {

    private final ConnectionStore connections;
    private final RefreshCoordinator coordinator;

    UserRefreshController(ConnectionStore connections, RefreshCoordinator coordinator) {
        this.connections = connections;
        this.coordinator = coordinator;
    }

    /**
     * @param refresh {@code CLAIMED}: a refresh starts now; {@code IN_FLIGHT}: one is running, its
     *                outcome will do; {@code BACKING_OFF}: refreshing keeps failing, the next attempt
     *                is at {@code retryAt}, not sooner
     */
    record RefreshRequested(@Schema(example = "7c76279d-f692-441d-affe-bb8978b57549") UUID connectionId,
            @Schema(example = "CLAIMED", description = "CLAIMED: refreshing now; IN_FLIGHT: already being refreshed; BACKING_OFF: failing, next try at retryAt; NOT_REFRESHABLE: disconnected or needs reauthorization") String refresh,
            @Schema(example = "2026-12-01T09:40:00Z") @Nullable Instant retryAt) {
    }

    @Operation(operationId = "refreshConnection", summary = "Refresh the connection's access token now")
    @ProblemAnswers({"NOT_FOUND", "CONNECTION_NOT_USABLE"})
    @PutMapping("/api/v1/integrations/{id}/refresh")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Mono<RefreshRequested> refresh(Mono<SignedInUser> signedIn, @PathVariable UUID id) {
        return signedIn
                .flatMap(user -> connections.findForUser(user.id(), id))
                .switchIfEmpty(Mono.error(() -> ApiProblem.notFound("There is no connection " + id + ".")))
                .flatMap(connection -> coordinator.claimUrgent(connection.id())
                        .flatMap(claim -> claim.result() == UrgentClaim.Result.NOT_REFRESHABLE
                                ? Mono.error(new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.CONNECTION_NOT_USABLE,
                                        "Connection not usable", "The connection is " + connection.status()
                                                + "; it cannot be refreshed. Reconnect it.",
                                        Map.of("connectionStatus", connection.status().name())))
                                : Mono.just(new RefreshRequested(id, claim.result().name(), claim.retryAt()))));
    }
}
