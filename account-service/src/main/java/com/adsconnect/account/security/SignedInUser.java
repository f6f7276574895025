package com.adsconnect.account.security;

/**
 * The active user behind a request's verified session token. A controller declares a
 * {@code Mono<SignedInUser>} parameter and subscribes to it where the user is needed (after its
 * own checks of the request, so a malformed request provisions nobody); the user is resolved at
 * most once per request, provisioned when first seen, and a deleted user's request fails with
 * 410. Resolved by {@code user.SignedInUserResolver}, so features need not know the user package.
 */
public record SignedInUser(String id) {
}
