package com.adsconnect.account.user;

import java.time.Instant;

/** A user as stored: Clerk's identity data plus the profile fields this product owns. */
public record User(
        String id,
        String email,
        String firstName,
        String lastName,
        String imageUrl,
        String displayName,
        String companyName,
        String jobTitle,
        Instant clerkUpdatedAt,
        Instant createdAt,
        Instant updatedAt,
        Instant deletedAt) {

    public boolean isDeleted() {
        return deletedAt != null;
    }
}
