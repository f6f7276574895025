package com.adsconnect.account.user;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Clerk tells us about a user, from a session token's claims (when the instance's token
 * template adds them) or from a webhook's user object.
 *
 * @param updatedAt Clerk's own last-change time; null when it comes from a session token
 */
public record ClerkIdentity(String userId, String email, String firstName, String lastName, String imageUrl,
        Instant updatedAt) {

    /** The fields as an audit summary. */
    Map<String, Object> summary() {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("email", email);
        summary.put("firstName", firstName);
        summary.put("lastName", lastName);
        summary.put("imageUrl", imageUrl);
        return summary;
    }
}
