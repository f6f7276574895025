package com.adsconnect.account.preferences;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/** A preferences document as stored, at the schema version it was written with. */
record StoredPreferences(int schemaVersion, JsonNode document, int revision, Instant updatedAt) {
}
