package com.adsconnect.account.internal;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.refresh.RefreshCoordinator;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.Operation;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
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
    private final TokenAccessAudit audit;

    InternalApiController(TokenService tokens, RefreshCoordinator coordinator, TokenAccessAudit audit) {
        this.tokens = tokens;
        this.coordinator = coordinator;
        this.audit = audit;
    }

    record TokenRequest(String userId, UUID connectionId, String profileId) {
    }

    record LeaseRequest(UUID connectionId, Long generation) {
    }

    /**
     * A provider token for an internal service. Every answer, token or refusal, is recorded in the
     * token access audit ({@link TokenAccessAudit}); when its queue is full the request is refused
     * with 503 before any token is read.
     */
    @Operation(operationId = "getToken", summary = "A usable access token for a connection (refreshed first when close to its end)", tags = "Tokens")
    @ProblemAnswers({"VALIDATION_FAILED", "NOT_FOUND", "CONNECTION_NOT_USABLE", "CONNECTION_MISSING_SCOPES_STORED", "TOKEN_NOT_READY"})
    @PostMapping("/internal/v1/tokens")
    Mono<ResponseEntity<TokenService.TokenResponse>> token(@RequestBody TokenRequest request, Principal caller) {
        // what the request names, where it is well-formed (null otherwise): checked here, recorded in the audit as is
        String user = request.userId() != null && USER_ID.matcher(request.userId()).matches() ? request.userId() : null;
        String profile = request.profileId() != null && PROFILE_ID.matcher(request.profileId()).matches() ? request.profileId() : null;
        Mono<ResponseEntity<TokenService.TokenResponse>> answer = audit.admit().then(Mono.defer(() -> {
            if (user == null) {
                return Mono.error(ApiProblem.invalidField("userId", "is required"));
            }
            if (request.connectionId() == null && request.profileId() == null) {
                return Mono.error(ApiProblem.invalidField("connectionId", "give connectionId, profileId, or both"));
            }
            if (request.profileId() != null && profile == null) {
                return Mono.error(ApiProblem.invalidField("profileId", "must be a profile id (an Amazon Ads profile, a Google Ads customer or a Microsoft Advertising account)"));
            }
            return tokens.currentToken(user, request.connectionId(), profile).map(InternalApiController::noStore);
        }));
        if (!audit.enabled()) {
            return answer;
        }
        return answer
                .doOnNext(served -> audit.record(new TokenAccessAudit.TokenAccess(caller.getName(), user, served.getBody().connectionId(),
                        profile, "SERVED", 200, java.time.Instant.now())))
                .doOnError(ApiProblem.class, refused -> {
                    // a refusal because the audit is full is the one answer not recorded (it would only add to the backlog)
                    if (!(refused instanceof TokenAccessAudit.Backlog)) {
                        audit.record(new TokenAccessAudit.TokenAccess(caller.getName(), user, request.connectionId(), profile,
                                outcomeOf(refused), refused.status().value(), java.time.Instant.now()));
                    }
                });
    }

    /** The refusal's kind, from its problem type ({@code connection-not-usable}, {@code token-not-ready}, ...). */
    private static String outcomeOf(ApiProblem refused) {
        String type = String.valueOf(refused.toProblemDetail().getType());
        return type.substring(type.lastIndexOf('/') + 1).toUpperCase().replace('-', '_');
    }

    @Operation(operationId = "takeLease", summary = "Lease one refresh generation (token-refresher)", tags = "Refresh")
    @ProblemAnswers({"VALIDATION_FAILED", "LEASE_UNAVAILABLE"})
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
    @Operation(operationId = "claimRefresh", summary = "A new generation for retrying a failed refresh", tags = "Refresh")
    @ProblemAnswers({"VALIDATION_FAILED", "LEASE_UNAVAILABLE"})
    @PostMapping("/internal/v1/refresh/claims")
    Mono<Map<String, Object>> claim(@RequestBody ClaimRequest request) {
        if (request.connectionId() == null) {
            return Mono.error(ApiProblem.invalidField("connectionId", "is required"));
        }
        return coordinator.claimForRetry(request.connectionId())
                .map(generation -> Map.of("connectionId", request.connectionId(), "generation", generation));
    }

    @Operation(operationId = "reportRefresh", summary = "Report one refresh's outcome", tags = "Refresh")
    @ProblemAnswers({"VALIDATION_FAILED", "LEASE_UNAVAILABLE"})
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

    /** The most leases or reports one batch request may carry. */
    static final int MAX_BATCH = 500;

    record LeaseBatchRequest(List<LeaseRequest> leases) {
    }

    record LeaseBatch(List<RefreshCoordinator.Lease> leases) {
    }

    /**
     * Many leases in one request and one transaction. Answers the leases granted; a generation
     * missing from the answer is stale, taken, expired, or its connection cannot be refreshed (what
     * the one-lease endpoint answers with 409).
     */
    @Operation(operationId = "takeLeases", summary = "Lease many refresh generations in one transaction", tags = "Refresh")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @PostMapping("/internal/v1/refresh/lease-batches")
    Mono<ResponseEntity<LeaseBatch>> leases(@RequestBody LeaseBatchRequest request) {
        List<LeaseRequest> leases = request.leases();
        if (leases == null || leases.isEmpty() || leases.size() > MAX_BATCH) {
            return Mono.error(ApiProblem.invalidField("leases", "give 1 to " + MAX_BATCH + " leases"));
        }
        for (int i = 0; i < leases.size(); i++) {
            LeaseRequest lease = leases.get(i);
            if (lease == null || lease.connectionId() == null) {
                return Mono.error(ApiProblem.invalidField("leases[" + i + "].connectionId", "is required"));
            }
            if (lease.generation() == null || lease.generation() < 1) {
                return Mono.error(ApiProblem.invalidField("leases[" + i + "].generation", "is required"));
            }
        }
        return coordinator.takeLeases(leases.stream()
                        .map(lease -> new RefreshCoordinator.LeaseRequest(lease.connectionId(), lease.generation())).toList())
                .map(granted -> noStore(new LeaseBatch(List.copyOf(granted.values()))));
    }

    record ReportBatchRequest(List<RefreshCoordinator.Report> reports) {
    }

    /** {@code result}: APPLIED, KEPT_ROTATED_REFRESH_TOKEN, STALE, or REJECTED with a {@code detail} saying why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ReportResult(UUID connectionId, @Nullable Long generation, String result, @Nullable String detail) {
    }

    record ReportBatch(List<ReportResult> results) {
    }

    /**
     * Many reports in one request and one transaction, answered in the same order. A report that
     * is not valid is answered REJECTED and changes nothing; the others are applied all the same.
     */
    @Operation(operationId = "reportRefreshes", summary = "Report many refreshes' outcomes in one transaction", tags = "Refresh")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @PostMapping("/internal/v1/refresh/report-batches")
    Mono<ReportBatch> reports(@RequestBody ReportBatchRequest request, Principal caller) {
        List<RefreshCoordinator.Report> reports = request.reports();
        if (reports == null || reports.isEmpty() || reports.size() > MAX_BATCH) {
            return Mono.error(ApiProblem.invalidField("reports", "give 1 to " + MAX_BATCH + " reports"));
        }
        List<RefreshCoordinator.Report> valid = new ArrayList<>();
        String[] rejected = new String[reports.size()];
        for (int i = 0; i < reports.size(); i++) {
            RefreshCoordinator.Report report = reports.get(i);
            rejected[i] = report == null ? "a report is required" : RefreshCoordinator.invalidReason(report);
            if (rejected[i] == null) {
                valid.add(report);
            }
        }
        return coordinator.reportAll(valid, caller.getName())
                .map(applied -> {
                    List<ReportResult> results = new ArrayList<>(reports.size());
                    int next = 0;
                    for (int i = 0; i < reports.size(); i++) {
                        RefreshCoordinator.Report report = reports.get(i);
                        UUID connectionId = report == null ? null : report.connectionId();
                        Long generation = report == null ? null : report.generation();
                        results.add(rejected[i] != null ? new ReportResult(connectionId, generation, "REJECTED", rejected[i])
                                : new ReportResult(connectionId, generation, applied.get(next++).name(), null));
                    }
                    return new ReportBatch(results);
                });
    }

    private static <T> ResponseEntity<T> noStore(T body) {
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(body);
    }
}
