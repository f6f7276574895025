package com.adsconnect.account.preferences;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The preferences with their bookkeeping: {@code revision} 0 and a null {@code updatedAt} mean
 * the user never changed anything and sees the defaults.
 */
public record PreferencesView(@Schema(example = "2") int schemaVersion,
        @Schema(example = "7", description = "counts the changes; 0: never changed, the defaults") int revision,
        @Schema(example = "2026-12-01T09:30:00Z") @Nullable Instant updatedAt, Preferences preferences) {
}
