package com.adsconnect.account.user;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.audit.RequestOrigin;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** The signed-in user's profile. */
@Tag(name = "Profile")
@RestController
@RequestMapping("/api/v1/me")
class MeController {

    private final CurrentUsers currentUsers;
    private final ProfileService profiles;
    private final ProfileViews views;

    /** What a profile patch may carry (the contract; the patch itself is applied as JSON). */
    record ProfilePatch(@Schema(types = {"string", "null"}, maxLength = 100) String displayName,
            @Schema(types = {"string", "null"}, maxLength = 200) String companyName,
            @Schema(types = {"string", "null"}, maxLength = 100) String jobTitle) {
    }

    MeController(CurrentUsers currentUsers, ProfileService profiles, ProfileViews views) {
        this.currentUsers = currentUsers;
        this.profiles = profiles;
        this.views = views;
    }

    @Operation(operationId = "getMe", summary = "The signed-in user's profile (provisions the user on first sight)")
    @GetMapping
    Mono<ProfileView> me(@AuthenticationPrincipal Jwt token, ServerWebExchange exchange) {
        return views.ofSignedIn(token, exchange);
    }

    /** JSON Merge Patch (RFC 7396) of {@code displayName}, {@code companyName}, {@code jobTitle}. */
    @Operation(operationId = "updateMe", summary = "Change display name, company or job title (JSON Merge Patch)")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @PatchMapping(consumes = {"application/merge-patch+json", "application/json"})
    Mono<ProfileView> patch(@AuthenticationPrincipal Jwt token, @io.swagger.v3.oas.annotations.parameters.RequestBody(description = "JSON Merge Patch (RFC 7396) of the fields to change; null clears one", content = {
            @Content(mediaType = "application/merge-patch+json", schema = @Schema(implementation = MeController.ProfilePatch.class)),
            @Content(mediaType = "application/json", schema = @Schema(implementation = MeController.ProfilePatch.class))})
            @RequestBody JsonNode patch, ServerWebExchange exchange) {
        return currentUsers.require(token, exchange)
                .flatMap(user -> profiles.patch(user.id(), patch, RequestOrigin.of(exchange.getRequest())))
                .flatMap(views::of);
    }

    /**
     * Deletes the account (soft delete). Every later request with this user's tokens answers
     * 410 Gone; personal data is erased after {@code retention.deleted-user-purge-after}.
     */
    @Operation(operationId = "deleteMe", summary = "Delete the account; later requests with its tokens answer 410")
    @DeleteMapping
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> delete(@AuthenticationPrincipal Jwt token, ServerWebExchange exchange) {
        return currentUsers.require(token, exchange)
                .flatMap(user -> profiles.delete(user.id(), RequestOrigin.of(exchange.getRequest())));
    }
}
