package com.adsconnect.account.preferences;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A user's preferences, schema version {@value PreferencesSchema#CURRENT_VERSION}. Every field has
 * a default ({@link #defaults()}); a stored document only needs what differs.
 */
public record Preferences(
        @Schema(example = "DARK") @NotNull Theme theme,
        @Schema(example = "en-US", description = "a BCP 47 language tag") @NotNull @LanguageTag String locale,
        @Schema(example = "Europe/Berlin", description = "an IANA time zone") @NotNull @TimeZoneId String timeZone,
        @NotNull @Valid Notifications notifications,
        @NotNull @Valid Assistant assistant,
        @NotNull @Valid Dashboard dashboard) {

    public enum Theme { SYSTEM, LIGHT, DARK }

    public enum AssistantTone { CONCISE, BALANCED, DETAILED }

    public enum DateRange { TODAY, YESTERDAY, LAST_7_DAYS, LAST_14_DAYS, LAST_30_DAYS, MONTH_TO_DATE, LAST_MONTH }

    public enum Metric { SPEND, SALES, ACOS, ROAS, IMPRESSIONS, CLICKS, CTR, CPC, ORDERS, CONVERSION_RATE }

    /** Where and about what the user wants to hear from us. */
    public record Notifications(
            @NotNull @Valid Channels channels,
            @Schema(example = "true") @NotNull Boolean connectionAlerts,
            @Schema(example = "true") @NotNull Boolean weeklyReport,
            @Schema(example = "false") @NotNull Boolean productUpdates) {
    }

    public record Channels(@Schema(example = "true") @NotNull Boolean email, @Schema(example = "true") @NotNull Boolean inApp,
            @Schema(example = "false") @NotNull Boolean slack) {
    }

    /** The AI assistant's behaviour. */
    public record Assistant(
            @Schema(example = "true") @NotNull Boolean enabled,
            @Schema(example = "BALANCED") @NotNull AssistantTone tone,
            @Schema(example = "true") @NotNull Boolean autoSuggestions,
            @Schema(example = "false") @NotNull Boolean shareCampaignData) {
    }

    /** What the dashboard opens with. */
    public record Dashboard(
            @Schema(example = "LAST_30_DAYS") @NotNull DateRange defaultDateRange,
            @Schema(example = "USD") @NotNull @Pattern(regexp = "[A-Z]{3}", message = "must be an ISO 4217 currency code such as USD") String currency,
            @Schema(example = "[\"SPEND\", \"SALES\", \"ACOS\", \"ROAS\"]") @NotNull @Size(min = 1, max = 10) List<@NotNull Metric> metrics,
            @Schema(example = "3947215801125846", description = "the profile the dashboard opens with; null: none chosen")
            @Pattern(regexp = "[0-9]{1,20}", message = "must be an Amazon Ads profile id") @Nullable String defaultProfileId) {
    }

    public static Preferences defaults() {
        return new Preferences(
                Theme.SYSTEM,
                "en-US",
                "UTC",
                new Notifications(new Channels(true, true, false), true, true, false),
                new Assistant(true, AssistantTone.BALANCED, true, false),
                new Dashboard(DateRange.LAST_30_DAYS, "USD", List.of(Metric.SPEND, Metric.SALES, Metric.ACOS, Metric.ROAS), null));
    }
}
