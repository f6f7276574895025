package com.adsconnect.account.notification;

import java.time.ZoneId;
import java.util.Locale;

/**
 * Whom a notification goes to and how the user wants to hear: the notification preferences, the
 * language and time zone for the text, and the address.
 *
 * @param emailAddress null when Clerk gave none
 * @param since        when the user signed up (a weekly report covers only weeks the user was here)
 * @param deleted      the user deleted the account (messages about that still go out, by email; the
 *                     address is erased with the rest of the personal data later)
 */
public record Recipient(
        String userId,
        String emailAddress,
        Locale locale,
        ZoneId timeZone,
        boolean deleted,
        java.time.Instant since,
        boolean connectionAlerts,
        boolean weeklyReport,
        boolean byEmail,
        boolean inApp,
        boolean bySlack) {

    @Override
    public String toString() {
        // no address in logs
        return "Recipient[userId=" + userId + ", locale=" + locale.toLanguageTag() + "]";
    }
}
