package com.adsconnect.account.notification;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.DayOfWeek;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How users are told about their connections. Env: {@code NOTIFICATIONS_FAILING_ALERT_AFTER},
 * {@code NOTIFICATIONS_EMAIL_FROM}, {@code NOTIFICATIONS_EMAIL_UNSUBSCRIBE_KEY}, ... The SMTP server
 * itself is Spring's {@code spring.mail.*} ({@code SPRING_MAIL_HOST}, ...): without a host, no email
 * is queued.
 *
 * @param failingAlertAfter a connection whose refreshes have failed for this long is announced (the
 *                          first transient failure is not: most heal on the next attempt)
 * @param batchWindow       a user's alerts are held this long after the first one, so that a burst
 *                          (many connections failing at once) is one message per channel
 * @param deliveryInterval  how often the sender looks for due deliveries
 * @param deliveryLease     a claimed batch not reported by then is claimed again (longer than a send's timeouts)
 * @param sendTimeout       the longest one email or Slack post may take
 * @param maxAttempts       a batch that failed this many times is given up (FAILED)
 * @param retryBackoff      the first wait after a failed send, doubled per attempt
 * @param maxRetryBackoff   the longest such wait
 * @param refreshTokenExpiryWarning a refresh token that ends (where the provider says when) within
 *                          this is announced, so the user can reconnect before it stops working
 */
@Validated
@ConfigurationProperties("notifications")
public record NotificationProperties(
        @NotNull @DefaultValue("1h") Duration failingAlertAfter,
        @NotNull @DefaultValue("30s") Duration batchWindow,
        @NotNull @DefaultValue("5s") Duration deliveryInterval,
        @NotNull @DefaultValue("2m") Duration deliveryLease,
        @NotNull @DefaultValue("30s") Duration sendTimeout,
        @Min(1) @DefaultValue("40") int maxAttempts,
        @NotNull @DefaultValue("30s") Duration retryBackoff,
        @NotNull @DefaultValue("30m") Duration maxRetryBackoff,
        @NotNull @DefaultValue("7d") Duration refreshTokenExpiryWarning,
        @NotNull @Valid @DefaultValue Email email,
        @NotNull @Valid @DefaultValue Slack slack,
        @NotNull @Valid @DefaultValue WeeklyReport weeklyReport) {

    /**
     * @param from           the sender address
     * @param appBaseUrl     the front end, for the links in messages (deep links, preferences)
     * @param apiBaseUrl     where the public API is reached (the gateway), for the one-click
     *                       unsubscribe link (RFC 8058)
     * @param unsubscribeKey signs unsubscribe links (base64, at least 32 bytes; the same on every
     *                       replica); required once an SMTP host is set
     */
    public record Email(
            @NotBlank @DefaultValue("Ads Connect <alerts@ads-connect.dev>") String from,
            @NotBlank @DefaultValue("http://localhost:3000") String appBaseUrl,
            @NotBlank @DefaultValue("http://localhost:8080") String apiBaseUrl,
            String unsubscribeKey) {

        @Override
        public String toString() {
            return "Email[from=" + from + ", appBaseUrl=" + appBaseUrl + ", apiBaseUrl=" + apiBaseUrl + "]";
        }
    }

    /**
     * @param apiBaseUrl where posts to a user's incoming webhook go: Slack's host, always; the
     *                   user's URL contributes only its path (tests point this at a stub)
     */
    public record Slack(@NotBlank @DefaultValue("https://hooks.slack.com") String apiBaseUrl) {
    }

    /** The report is sent once a week, from this day and hour in the user's time zone on. */
    public record WeeklyReport(
            @NotNull @DefaultValue("MONDAY") DayOfWeek day,
            @Min(0) @Max(23) @DefaultValue("8") int hour,
            @NotNull @DefaultValue("1h") Duration interval) {
    }
}
