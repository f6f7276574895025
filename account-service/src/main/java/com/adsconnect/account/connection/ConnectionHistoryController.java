package com.adsconnect.account.connection;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.paging.CursorPage;
import com.adsconnect.account.security.SignedInUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The refresh and status timeline of one of the signed-in user's connections (the token status and
 * refresh history view): every transition and failed attempt, and each day's routine refreshes as
 * one entry with their count, newest day first, kept for {@code retention.connection-history}.
 * Another user's connection answers 404.
 */
@Tag(name = "Connections")
@RestController
class ConnectionHistoryController {

    static final int MAX_LIMIT = 200;

    private final ConnectionStore connections;
    private final ConnectionHistory history;

    ConnectionHistoryController(ConnectionStore connections, ConnectionHistory history) {
        this.connections = connections;
        this.history = history;
    }

    @Operation(operationId = "listConnectionHistory", summary = "A connection's transitions and daily refresh counts, newest first")
    @ProblemAnswers({"NOT_FOUND", "VALIDATION_FAILED"})
    @GetMapping("/api/v1/me/connections/{id}/history")
    Mono<CursorPage<ConnectionHistory.Entry>> history(Mono<SignedInUser> signedIn, @PathVariable UUID id,
            @Parameter(description = "Items per page", schema = @Schema(type = "integer", minimum = "1", maximum = "" + MAX_LIMIT, defaultValue = "" + CursorPage.DEFAULT_LIMIT)) @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        int pageSize = CursorPage.pageSize(limit, MAX_LIMIT);
        ConnectionHistory.Position after = cursor == null ? null : positionOf(cursor);
        return signedIn
                .flatMap(user -> connections.findForUser(user.id(), id))
                .switchIfEmpty(Mono.error(() -> ConnectionService.notFound(id)))
                .flatMap(connection -> history.page(connection.id(), pageSize + 1, after))
                .map(entries -> {
                    CursorPage<ConnectionHistory.Positioned> page = CursorPage.of(entries, pageSize, entry ->
                            CursorPage.cursor("h", entry.position().day() + "/" + entry.position().id()));
                    return new CursorPage<>(page.items().stream().map(ConnectionHistory.Positioned::entry).toList(), page.nextCursor());
                });
    }

    private static ConnectionHistory.Position positionOf(String cursor) {
        String[] parts = CursorPage.valueOf("h", cursor).split("/", -1);
        try {
            if (parts.length != 2) {
                throw CursorPage.invalidCursor();
            }
            return new ConnectionHistory.Position(java.time.LocalDate.parse(parts[0]), Long.parseLong(parts[1]));
        } catch (java.time.format.DateTimeParseException | NumberFormatException e) {
            throw CursorPage.invalidCursor();
        }
    }
}
