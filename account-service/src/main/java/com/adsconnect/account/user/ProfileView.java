package com.adsconnect.account.user;

import com.adsconnect.account.connection.ConnectionStatus;
import java.time.Instant;
import java.util.Map;

/**
 * The profile as the front end shows it. {@code email}, names and image come from Clerk and are
 * changed there; {@code displayName}, {@code companyName} and {@code jobTitle} are edited here.
 * {@code connections} counts the user's connections by status, for the dashboard;
 * {@code unreadNotifications} the in-app notifications not read yet.
 */
public record ProfileView(
        String id,
        String email,
        String firstName,
        String lastName,
        String imageUrl,
        String displayName,
        String companyName,
        String jobTitle,
        Instant createdAt,
        Instant updatedAt,
        Map<ConnectionStatus, Long> connections,
        long unreadNotifications) {

    static ProfileView of(User user, Map<ConnectionStatus, Long> connections, long unreadNotifications) {
        return new ProfileView(user.id(), user.email(), user.firstName(), user.lastName(), user.imageUrl(),
                user.displayName(), user.companyName(), user.jobTitle(), user.createdAt(), user.updatedAt(), connections,
                unreadNotifications);
    }
}
