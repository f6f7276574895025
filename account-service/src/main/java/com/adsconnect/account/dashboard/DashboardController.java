package com.adsconnect.account.dashboard;

import com.adsconnect.account.audit.AuditEventView;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.connection.ConnectionService;
import com.adsconnect.account.connection.ConnectionView;
import com.adsconnect.account.notification.NotificationView;
import com.adsconnect.account.notification.Notifications;
import com.adsconnect.account.preferences.PreferencesService;
import com.adsconnect.account.preferences.PreferencesView;
import com.adsconnect.account.user.CurrentUsers;
import com.adsconnect.account.user.ProfileView;
import com.adsconnect.account.user.ProfileViews;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The front end's first screen in one request: the profile, the preferences, every connection with
 * its health and profiles, the unread notifications and the latest audit events.
 */
@Tag(name = "Activity")
@RestController
class DashboardController {

    static final int LATEST_NOTIFICATIONS = 10;
    static final int LATEST_AUDIT_EVENTS = 10;

    private final CurrentUsers currentUsers;
    private final ProfileViews profiles;
    private final PreferencesService preferences;
    private final ConnectionService connections;
    private final Notifications notifications;
    private final AuditLog auditLog;

    DashboardController(CurrentUsers currentUsers, ProfileViews profiles, PreferencesService preferences,
            ConnectionService connections, Notifications notifications, AuditLog auditLog) {
        this.currentUsers = currentUsers;
        this.profiles = profiles;
        this.preferences = preferences;
        this.connections = connections;
        this.notifications = notifications;
        this.auditLog = auditLog;
    }

    /**
     * @param notifications the newest unread in-app notifications (at most {@value #LATEST_NOTIFICATIONS};
     *                      {@code profile.unreadNotifications} says how many there are in all)
     * @param auditEvents   the newest entries of the user's audit trail (at most {@value #LATEST_AUDIT_EVENTS})
     */
    @Schema(name = "DashboardView", description = "The dashboard's first screen in one answer: the profile, the preferences, "
            + "the connections, the latest notifications and the latest activity")
    record Dashboard(ProfileView profile, PreferencesView preferences, List<ConnectionView> connections,
            List<NotificationView> notifications, List<AuditEventView> auditEvents) {
    }

    @Operation(operationId = "getDashboard", summary = "Connections' health and the week's activity at a glance")
    @GetMapping("/api/v1/me/dashboard")
    Mono<Dashboard> dashboard(@AuthenticationPrincipal Jwt token, ServerWebExchange exchange) {
        return currentUsers.require(token, exchange)
                .flatMap(user -> Mono.zip(profiles.of(user), preferences.get(user.id()), connections.list(user.id(), null),
                                notifications.page(user.id(), true, LATEST_NOTIFICATIONS, null),
                                auditLog.page(user.id(), LATEST_AUDIT_EVENTS, null))
                        .map(parts -> new Dashboard(parts.getT1(), parts.getT2(), parts.getT3(), parts.getT4(), parts.getT5())));
    }
}
