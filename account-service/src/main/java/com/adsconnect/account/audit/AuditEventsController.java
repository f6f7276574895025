package com.adsconnect.account.audit;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.paging.CursorPage;
import com.adsconnect.account.security.SignedInUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The signed-in user's own audit trail. */
@Tag(name = "Activity")
@RestController
class AuditEventsController {

    static final int MAX_LIMIT = 100;

    private final AuditLog auditLog;

    AuditEventsController(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    /**
     * Newest first. {@code cursor} is the opaque {@code nextCursor} of the previous page; a page
     * shorter than {@code limit} or a null {@code nextCursor} means there is nothing older.
     */
    @Operation(operationId = "listAuditEvents", summary = "What happened to the account and its connections, newest first")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @GetMapping("/api/v1/me/audit-events")
    Mono<CursorPage<AuditEventView>> auditEvents(Mono<SignedInUser> signedIn,
            @Parameter(description = "Items per page", schema = @Schema(type = "integer", minimum = "1", maximum = "" + MAX_LIMIT, defaultValue = "" + CursorPage.DEFAULT_LIMIT)) @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        int pageSize = CursorPage.pageSize(limit, MAX_LIMIT);
        Long before = cursor == null ? null : CursorPage.idOf("a", cursor);
        return signedIn
                .flatMap(user -> auditLog.page(user.id(), pageSize + 1, before))
                .map(events -> CursorPage.of(events, pageSize, event -> CursorPage.idCursor("a", Long.parseLong(event.id()))));
    }
}
