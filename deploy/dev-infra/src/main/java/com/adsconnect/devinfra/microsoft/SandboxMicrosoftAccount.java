package com.adsconnect.devinfra.microsoft;

import java.util.List;

/**
 * A Microsoft Advertising user of the sandbox: the user, the customer it belongs to, and the ad
 * accounts it can reach (ids are 64-bit, sent as JSON strings as the REST API does).
 */
public record SandboxMicrosoftAccount(String userId, String customerId, String userName, List<Account> accounts) {

    /** An ad account: id, name, the 8-character number the UI shows, ISO currency, Microsoft's time zone name, status. */
    public record Account(String id, String name, String number, String currencyCode, String timeZone, String lifeCycleStatus) {
    }

    /** The user the consent page signs in by default: one customer with two ad accounts. */
    public static SandboxMicrosoftAccount defaultAccount() {
        return new SandboxMicrosoftAccount("700000001", "300000001", "ads-sandbox@outlook.com", List.of(
                new Account("150000001", "Sandbox Search US", "F1000001", "USD", "EasternTimeUSCanada", "Active"),
                new Account("150000002", "Sandbox Search DE", "F1000002", "EUR", "AmsterdamBerlinBernRomeStockholmVienna", "Active")));
    }

    static SandboxMicrosoftAccount forRealm(String realm) {
        return defaultAccount();
    }
}
