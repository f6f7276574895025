package com.adsconnect.account.notification;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.paging.CursorPage;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.security.SignedInUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The signed-in user's in-app notifications. Another user's notification answers 404. */
@Tag(name = "Notifications")
@RestController
@RequestMapping("/api/v1/me/notifications")
class NotificationsController {

    static final int MAX_LIMIT = 100;

    private final Notifications notifications;

    NotificationsController(Notifications notifications) {
        this.notifications = notifications;
    }

    record MarkedRead(@Schema(example = "3", description = "how many were unread and are read now") long marked) {
    }

    /** Newest first; {@code unread=true} lists unread ones only; {@code cursor} is the previous page's {@code nextCursor}. */
    @Operation(operationId = "listNotifications", summary = "The user's notifications, newest first")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @GetMapping
    Mono<CursorPage<NotificationView>> list(Mono<SignedInUser> signedIn,
            @RequestParam(required = false) Boolean unread,
            @Parameter(description = "Items per page", schema = @Schema(type = "integer", minimum = "1", maximum = "" + MAX_LIMIT, defaultValue = "" + CursorPage.DEFAULT_LIMIT)) @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        int pageSize = CursorPage.pageSize(limit, MAX_LIMIT);
        Long before = cursor == null ? null : CursorPage.idOf("n", cursor);
        return signedIn
                .flatMap(user -> notifications.page(user.id(), Boolean.TRUE.equals(unread), pageSize + 1, before))
                .map(page -> CursorPage.of(page, pageSize, view -> CursorPage.idCursor("n", Long.parseLong(view.id()))));
    }

    @Operation(operationId = "markNotificationRead", summary = "Mark one notification read")
    @ProblemAnswers({"NOT_FOUND"})
    @PostMapping("/{id}/read")
    Mono<NotificationView> markRead(Mono<SignedInUser> signedIn, @PathVariable String id) {
        long notificationId;
        try {
            notificationId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            return Mono.error(notFound());
        }
        return signedIn.flatMap(user -> notifications.markRead(user.id(), notificationId))
                .switchIfEmpty(Mono.error(NotificationsController::notFound));
    }

    /** Marks every unread notification read; answers how many were. */
    @Operation(operationId = "markAllNotificationsRead", summary = "Mark every notification read")
    @PostMapping("/read")
    Mono<MarkedRead> markAllRead(Mono<SignedInUser> signedIn) {
        return signedIn.flatMap(user -> notifications.markAllRead(user.id())).map(MarkedRead::new);
    }

    private static ApiProblem notFound() {
        return ApiProblem.notFound("There is no such notification.");
    }
}
