package com.adsconnect.devinfra.google;

import java.util.List;

/**
 * A Google account of the sandbox and the Google Ads customers it reaches directly.
 *
 * @param email     the Google account (for messages only)
 * @param customers what {@code customers:listAccessibleCustomers} lists, in that order; empty: not an Ads user
 */
public record SandboxGoogleAccount(String email, List<Customer> customers) {

    /** A Google Ads customer: ten digits, a name, ISO currency, IANA time zone, manager or not. */
    public record Customer(String id, String descriptiveName, String currencyCode, String timeZone, boolean manager) {
    }

    /** The account the consent page grants by default: a manager account and one advertiser. */
    public static SandboxGoogleAccount defaultAccount() {
        return new SandboxGoogleAccount("ads-sandbox@example.com", List.of(
                new Customer("1234567890", "Sandbox Advertiser", "USD", "America/New_York", false),
                new Customer("9876543210", "Sandbox Manager", "USD", "America/New_York", true)));
    }

    /** The default account, for synthetic grants (the realm is always {@code GLOBAL}). */
    static SandboxGoogleAccount forRealm(String realm) {
        return defaultAccount();
    }
}
