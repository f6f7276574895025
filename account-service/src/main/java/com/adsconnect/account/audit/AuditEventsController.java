package com.adsconnect.account.audit;

import com.adsconnect.account.paging.CursorPage;
import com.adsconnect.account.security.SignedInUser;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The signed-in user's own audit trail. */
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
    @GetMapping("/api/v1/me/audit-events")
    Mono<CursorPage<AuditEventView>> auditEvents(Mono<SignedInUser> signedIn,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        int pageSize = CursorPage.pageSize(limit, MAX_LIMIT);
        Long before;
        try {
            before = cursor == null ? null : decodeCursor(cursor);
        } catch (IllegalArgumentException e) {
            return Mono.error(CursorPage.invalidCursor());
        }
        return signedIn
                .flatMap(user -> auditLog.page(user.id(), pageSize + 1, before))
                .map(events -> CursorPage.of(events, pageSize, event -> encodeCursor(Long.parseLong(event.id()))));
    }

    static String encodeCursor(long id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("a:" + id).getBytes(StandardCharsets.US_ASCII));
    }

    static long decodeCursor(String cursor) {
        String decoded = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
        if (!decoded.startsWith("a:")) {
            throw new IllegalArgumentException("not an audit cursor");
        }
        long id = Long.parseLong(decoded.substring(2));
        if (id <= 0) {
            throw new IllegalArgumentException("not an audit cursor");
        }
        return id;
    }
}
