package com.adsconnect.account.preferences;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** One state the preferences were in; {@code revision} is what a rollback names. */
public record PreferencesHistoryEntry(@Schema(example = "6") int revision,
        @Schema(example = "UPDATE", description = "what made this revision: UPDATE, RESET or ROLLBACK") String change,
        @Schema(example = "2026-12-01T09:30:00Z") Instant changedAt, Preferences preferences) {
}
