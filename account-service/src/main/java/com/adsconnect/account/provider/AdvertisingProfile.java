package com.adsconnect.account.provider;

import io.swagger.v3.oas.annotations.media.Schema;
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
        @Schema(example = "3947215801125846") String profileId,
        @Schema(example = "DE") @Nullable String countryCode,
        @Schema(example = "EUR") @Nullable String currencyCode,
        @Schema(example = "Europe/Berlin") @Nullable String timezone,
        @Schema(example = "A1PA6795UKMFR9") @Nullable String marketplaceId,
        @Schema(example = "ENTITY2ABC3DEF4GH") @Nullable String accountId,
        @Schema(example = "seller") @Nullable String accountType,
        @Schema(example = "Analytical Engines DE") @Nullable String accountName,
        @Nullable String parentAccountId) {

    /** A profile that is its own account holder (Amazon's). */
    public AdvertisingProfile(String profileId, String countryCode, String currencyCode, String timezone, String marketplaceId,
            String accountId, String accountType, String accountName) {
        this(profileId, countryCode, currencyCode, timezone, marketplaceId, accountId, accountType, accountName, null);
    }
}
