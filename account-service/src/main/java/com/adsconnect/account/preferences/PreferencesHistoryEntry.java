package com.adsconnect.account.preferences;

import java.time.Instant;

/** One state the preferences were in; {@code revision} is what a rollback names. */
public record PreferencesHistoryEntry(int revision, String change, Instant changedAt, Preferences preferences) {
}
