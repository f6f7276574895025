package com.adsconnect.account.webhook;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Clerk webhook endpoint's settings, next to the token settings under {@code clerk}. Env:
 * {@code CLERK_WEBHOOK_SECRET}, {@code CLERK_WEBHOOK_TOLERANCE}.
 *
 * @param webhookSecret    the Svix signing secret ({@code whsec_...}) of the Clerk webhook endpoint;
 *                         without it every webhook is refused
 * @param webhookTolerance how far a webhook's {@code svix-timestamp} may be from now, either way
 */
@Validated
@ConfigurationProperties("clerk")
public record ClerkWebhookProperties(String webhookSecret, @NotNull @DefaultValue("5m") Duration webhookTolerance) {

    /** Without the signing secret. */
    @Override
    public String toString() {
        return "ClerkWebhookProperties[webhookSecret=" + (webhookSecret == null ? "none" : "(set)") + ", webhookTolerance="
                + webhookTolerance + "]";
    }
}
