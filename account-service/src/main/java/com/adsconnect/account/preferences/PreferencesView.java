package com.adsconnect.account.preferences;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The preferences with their bookkeeping: {@code revision} 0 and a null {@code updatedAt} mean
 * the user never changed anything and sees the defaults.
 */
public record PreferencesView(int schemaVersion, int revision, @Nullable Instant updatedAt, Preferences preferences) {
}
