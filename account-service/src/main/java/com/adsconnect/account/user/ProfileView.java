package com.adsconnect.account.user;

import com.adsconnect.account.connection.ConnectionStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The profile as the front end shows it. {@code email}, names and image come from Clerk and are
 * changed there; {@code displayName}, {@code companyName} and {@code jobTitle} are edited here.
 * {@code connections} counts the user's connections by status, for the dashboard;
 * {@code unreadNotifications} the in-app notifications not read yet.
 */
public record ProfileView(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "user_2abcDEF", description = "the Clerk user id") String id,
        @Schema(example = "ada@example.com") @Nullable String email,
        @Schema(example = "Ada") @Nullable String firstName,
        @Schema(example = "Lovelace") @Nullable String lastName,
        @Schema(example = "https://img.clerk.com/abc") @Nullable String imageUrl,
        @Schema(example = "Ada L.") @Nullable String displayName,
        @Schema(example = "Analytical Engines Ltd") @Nullable String companyName,
        @Schema(example = "Head of Growth") @Nullable String jobTitle,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant createdAt,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant updatedAt,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "the user's connections by status", example = "{\"ACTIVE\": 2, \"REFRESH_FAILING\": 0, \"REAUTH_REQUIRED\": 1, \"DISCONNECTED\": 0}")
        Map<ConnectionStatus, Long> connections,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "3") long unreadNotifications) {

    static ProfileView of(User user, Map<ConnectionStatus, Long> connections, long unreadNotifications) {
        return new ProfileView(user.id(), user.email(), user.firstName(), user.lastName(), user.imageUrl(),
                user.displayName(), user.companyName(), user.jobTitle(), user.createdAt(), user.updatedAt(), connections,
                unreadNotifications);
    }
}
