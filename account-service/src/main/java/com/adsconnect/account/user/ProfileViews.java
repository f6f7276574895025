package com.adsconnect.account.user;

import com.adsconnect.account.connection.ConnectionStore;
import com.adsconnect.account.notification.Notifications;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** The profile as {@code GET /api/v1/me} and the dashboard show it: the user, connection counts and unread notifications. */
@Component
public class ProfileViews {

    private final ConnectionStore connections;
    private final Notifications notifications;

    ProfileViews(ConnectionStore connections, Notifications notifications) {
        this.connections = connections;
        this.notifications = notifications;
    }

    public Mono<ProfileView> of(User user) {
        return connections.countByStatus(user.id()).zipWith(notifications.unreadCount(user.id()))
                .map(found -> ProfileView.of(user, found.getT1(), found.getT2()));
    }
}
