package com.adsconnect.account.user;

import com.adsconnect.account.connection.ConnectionStore;
import com.adsconnect.account.notification.Notifications;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** The profile as {@code GET /api/v1/me} and the dashboard show it: the user, connection counts and unread notifications. */
@Component
public class ProfileViews {

    private final UserStore users;
    private final CurrentUsers currentUsers;
    private final ConnectionStore connections;
    private final Notifications notifications;

    ProfileViews(UserStore users, CurrentUsers currentUsers, ConnectionStore connections, Notifications notifications) {
        this.users = users;
        this.currentUsers = currentUsers;
        this.connections = connections;
        this.notifications = notifications;
    }

    /**
     * The signed-in user's profile in one statement; a user seen for the first time is
     * provisioned first (then the counts are read apart), a deleted one is 410 Gone.
     */
    public Mono<ProfileView> ofSignedIn(Jwt token, ServerWebExchange exchange) {
        return users.findProfile(token.getSubject())
                .flatMap(found -> found.user().isDeleted() ? Mono.error(CurrentUsers.gone())
                        : Mono.just(ProfileView.of(found.user(), found.connections(), found.unreadNotifications())))
                .switchIfEmpty(Mono.defer(() -> currentUsers.require(token, exchange).flatMap(this::of)));
    }

    public Mono<ProfileView> of(User user) {
        return connections.countByStatus(user.id()).zipWith(notifications.unreadCount(user.id()))
                .map(found -> ProfileView.of(user, found.getT1(), found.getT2()));
    }
}
