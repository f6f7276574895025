package com.adsconnect.account.provider;

import org.jspecify.annotations.Nullable;

/**
 * An advertising profile that API calls are scoped to; what the front end's account switcher
 * lists. Amazon: one advertiser in one marketplace; Google Ads: one customer account; Microsoft
 * Advertising: one ad account.
 *
 * @param parentAccountId the account API calls go through, where that is another one: Microsoft's
 *                        customer (CustomerId), Google's manager account (login-customer-id); null otherwise
 */
public record AdvertisingProfile(
        String profileId,
        @Nullable String countryCode,
        @Nullable String currencyCode,
        @Nullable String timezone,
        @Nullable String marketplaceId,
        @Nullable String accountId,
        @Nullable String accountType,
        @Nullable String accountName,
        @Nullable String parentAccountId) {

    /** A profile that is its own account holder (Amazon's). */
    public AdvertisingProfile(String profileId, String countryCode, String currencyCode, String timezone, String marketplaceId,
            String accountId, String accountType, String accountName) {
        this(profileId, countryCode, currencyCode, timezone, marketplaceId, accountId, accountType, accountName, null);
    }
}
