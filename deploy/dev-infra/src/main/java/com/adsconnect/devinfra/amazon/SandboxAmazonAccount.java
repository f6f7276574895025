package com.adsconnect.devinfra.amazon;

import java.util.List;

/** An Amazon Ads advertiser account of the sandbox with its profiles (one per marketplace). */
public record SandboxAmazonAccount(String accountId, String name, String type, List<Profile> profiles) {

    public record Profile(long profileId, String countryCode, String currencyCode, String timezone, String marketplaceId) {
    }

    /** The account a region's consent page grants by default. */
    public static SandboxAmazonAccount defaultFor(String region) {
        return switch (region) {
            case "NA" -> new SandboxAmazonAccount("A1NASANDBOXSELLER", "Sandbox Seller NA", "seller", List.of(
                    new Profile(3_100_000_000_000_001L, "US", "USD", "America/Los_Angeles", "ATVPDKIKX0DER"),
                    new Profile(3_100_000_000_000_002L, "CA", "CAD", "America/Los_Angeles", "A2EUQ1WTGCTBG2")));
            case "EU" -> new SandboxAmazonAccount("A1EUSANDBOXSELLER", "Sandbox Seller EU", "seller", List.of(
                    new Profile(3_200_000_000_000_001L, "UK", "GBP", "Europe/London", "A1F83G8C2ARO7P"),
                    new Profile(3_200_000_000_000_002L, "DE", "EUR", "Europe/Paris", "A1PA6795UKMFR9")));
            case "FE" -> new SandboxAmazonAccount("A1FESANDBOXSELLER", "Sandbox Seller FE", "seller", List.of(
                    new Profile(3_300_000_000_000_001L, "JP", "JPY", "Asia/Tokyo", "A1VC38T7YXB528")));
            default -> throw new IllegalArgumentException("unknown region " + region);
        };
    }
}
