package com.adsconnect.account.internal;

import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.refresh.RefreshCoordinator;
import java.security.Principal;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The internal API: tokens for internal services ({@code tokens:read}), leases and reports for the
 * token-refresher ({@code refresh:lease}). Never routed by the gateway; answers carry secrets, so
 * they are marked {@code no-store}.
 */
@RestController
class InternalApiController {

    private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern PROFILE_ID = Pattern.compile("[0-9]{1,20}");

    private final TokenService tokens;
    private final RefreshCoordinator coordinator;

    InternalApiController(TokenService tokens, RefreshCoordinator coordinator) {
        this.tokens = tokens;
        this.coordinator = coordinator;
    }

    record TokenRequest(String userId, UUID connectionId, String profileId) {
    }

    record LeaseRequest(UUID connectionId, Long generation) {
    }

    @PostMapping("/internal/v1/tokens")
    Mono<ResponseEntity<TokenService.TokenResponse>> token(@RequestBody TokenRequest request) {
        if (request.userId() == null || !USER_ID.matcher(request.userId()).matches()) {
            return Mono.error(ApiProblem.invalidField("userId", "is required"));
        }
        if ((request.connectionId() == null) == (request.profileId() == null)) {
            return Mono.error(ApiProblem.invalidField("connectionId", "give exactly one of connectionId and profileId"));
        }
        if (request.profileId() != null && !PROFILE_ID.matcher(request.profileId()).matches()) {
            return Mono.error(ApiProblem.invalidField("profileId", "must be an Amazon Ads profile id"));
        }
        return tokens.currentToken(request.userId(), request.connectionId(), request.profileId()).map(InternalApiController::noStore);
    }

    @PostMapping("/internal/v1/refresh/leases")
    Mono<ResponseEntity<RefreshCoordinator.Lease>> lease(@RequestBody LeaseRequest request) {
        if (request.connectionId() == null) {
            return Mono.error(ApiProblem.invalidField("connectionId", "is required"));
        }
        if (request.generation() == null || request.generation() < 1) {
            return Mono.error(ApiProblem.invalidField("generation", "is required"));
        }
        return coordinator.takeLease(request.connectionId(), request.generation()).map(InternalApiController::noStore);
    }

    record ClaimRequest(UUID connectionId) {
    }

    /** A new generation for a refresher retrying a failed refresh; take its lease next. */
    @PostMapping("/internal/v1/refresh/claims")
    Mono<Map<String, Object>> claim(@RequestBody ClaimRequest request) {
        if (request.connectionId() == null) {
            return Mono.error(ApiProblem.invalidField("connectionId", "is required"));
        }
        return coordinator.claimForRetry(request.connectionId())
                .map(generation -> Map.of("connectionId", request.connectionId(), "generation", generation));
    }

    @PostMapping("/internal/v1/refresh/reports")
    Mono<Map<String, Object>> report(@RequestBody RefreshCoordinator.Report report, Principal caller) {
        if (report.connectionId() == null) {
            return Mono.error(ApiProblem.invalidField("connectionId", "is required"));
        }
        if (report.outcome() == null) {
            return Mono.error(ApiProblem.invalidField("outcome", "is required: SUCCESS, TRANSIENT_FAILURE or PERMANENT_FAILURE"));
        }
        if (report.retryAfterSeconds() != null && report.retryAfterSeconds() < 0) {
            return Mono.error(ApiProblem.invalidField("retryAfterSeconds", "must not be negative"));
        }
        return coordinator.report(report, caller.getName())
                .map(result -> Map.of("applied", result.applied(), "result", result.name()));
    }

    private static <T> ResponseEntity<T> noStore(T body) {
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(body);
    }
}
