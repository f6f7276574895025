package com.adsconnect.account.preferences;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.paging.CursorPage;
import com.adsconnect.account.security.SignedInUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** The signed-in user's preferences, their history and rollback. */
@Tag(name = "Preferences")
@RestController
@RequestMapping("/api/v1/me/preferences")
class PreferencesController {

    private static final int MAX_HISTORY_PAGE = 100;

    private final PreferencesService preferences;

    PreferencesController(PreferencesService preferences) {
        this.preferences = preferences;
    }

    @Operation(operationId = "getPreferences", summary = "The user's preferences")
    @GetMapping
    Mono<PreferencesView> get(Mono<SignedInUser> signedIn) {
        return signedIn.flatMap(user -> preferences.get(user.id()));
    }

    /**
     * JSON Merge Patch (RFC 7396): nested objects merge, arrays replace, null resets a field to
     * its default. Unknown fields and invalid values answer 400 naming the field.
     */
    @Operation(operationId = "updatePreferences", summary = "Change preferences (JSON Merge Patch)")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @PatchMapping(consumes = {"application/merge-patch+json", "application/json"})
    Mono<PreferencesView> patch(Mono<SignedInUser> signedIn, @io.swagger.v3.oas.annotations.parameters.RequestBody(description = "JSON Merge Patch (RFC 7396): the preferences to change; null restores a field to its default", content = {
            @Content(mediaType = "application/merge-patch+json", schema = @Schema(ref = "#/components/schemas/PreferencesPatch")),
            @Content(mediaType = "application/json", schema = @Schema(ref = "#/components/schemas/PreferencesPatch"))})
            @RequestBody JsonNode patch, ServerWebExchange exchange) {
        return signedIn
                .flatMap(user -> preferences.patch(user.id(), patch, RequestOrigin.of(exchange.getRequest())));
    }

    @Operation(operationId = "resetPreferences", summary = "Back to the defaults")
    @PostMapping("/reset")
    Mono<PreferencesView> reset(Mono<SignedInUser> signedIn, ServerWebExchange exchange) {
        return signedIn
                .flatMap(user -> preferences.reset(user.id(), RequestOrigin.of(exchange.getRequest())));
    }

    /** Newest first; {@code cursor} is the previous page's {@code nextCursor}. */
    @Operation(operationId = "listPreferencesHistory", summary = "Earlier revisions of the preferences, newest first")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @GetMapping("/history")
    Mono<CursorPage<PreferencesHistoryEntry>> history(Mono<SignedInUser> signedIn,
            @Parameter(description = "Items per page", schema = @Schema(type = "integer", minimum = "1", maximum = "" + MAX_HISTORY_PAGE, defaultValue = "" + CursorPage.DEFAULT_LIMIT)) @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        int pageSize = CursorPage.pageSize(limit, MAX_HISTORY_PAGE);
        Integer before;
        try {
            before = cursor == null ? null : Integer.valueOf(cursor);
            if (before != null && before < 1) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            return Mono.error(CursorPage.invalidCursor());
        }
        return signedIn
                .flatMap(user -> preferences.history(user.id(), pageSize + 1, before))
                .map(entries -> CursorPage.of(entries, pageSize, entry -> String.valueOf(entry.revision())));
    }

    /** Makes an earlier revision current again, as a new revision. */
    @Operation(operationId = "restorePreferences", summary = "Make an earlier revision current again")
    @ProblemAnswers({"NOT_FOUND"})
    @PostMapping("/history/{revision}/restore")
    Mono<PreferencesView> restore(Mono<SignedInUser> signedIn, @PathVariable int revision, ServerWebExchange exchange) {
        return signedIn
                .flatMap(user -> preferences.rollback(user.id(), revision, RequestOrigin.of(exchange.getRequest())));
    }
}
