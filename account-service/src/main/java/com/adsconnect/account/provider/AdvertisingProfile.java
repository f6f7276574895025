package com.adsconnect.account.provider;

/**
 * An advertising profile (Amazon: one advertiser in one marketplace) that API calls are scoped
 * to; what the front end's account switcher lists.
 */
public record AdvertisingProfile(
        String profileId,
        String countryCode,
        String currencyCode,
        String timezone,
        String marketplaceId,
        String accountId,
        String accountType,
        String accountName) {
}
