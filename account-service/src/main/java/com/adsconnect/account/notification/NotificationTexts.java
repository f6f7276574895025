package com.adsconnect.account.notification;

import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Locale;
import org.springframework.context.NoSuchMessageException;
import org.springframework.context.support.ResourceBundleMessageSource;
import org.springframework.stereotype.Component;

/**
 * The words of notifications and their messages, in the user's language
 * ({@code notifications/messages*.properties}; English where a language has no bundle or key).
 */
@Component
public class NotificationTexts {

    private final ResourceBundleMessageSource messages = new ResourceBundleMessageSource();

    NotificationTexts() {
        messages.setBasename("notifications/messages");
        messages.setDefaultEncoding(StandardCharsets.UTF_8.name());
        messages.setFallbackToSystemLocale(false);
    }

    /** A notification's title and body. */
    public record Text(String title, String body) {
    }

    /** {0}: the connection, {1}: the error code or cause, {2}: the date of {@link ConnectionAlert#at}, in the user's language and time zone. */
    Text alert(ConnectionAlert alert, Recipient recipient) {
        Locale locale = recipient.locale();
        String subject = alert.connectionName() == null ? alert.providerName()
                : alert.providerName() + " (" + alert.connectionName() + ")";
        String detail = alert.errorCode() == null ? "" : alert.errorCode();
        String at = alert.at() == null ? "" : DateTimeFormatter.ofLocalizedDate(FormatStyle.LONG).withLocale(locale)
                .withZone(recipient.timeZone()).format(alert.at());
        String key = alert.type().type();
        String body = alert.type() == NotificationType.DISCONNECTED && alert.errorCode() != null
                ? messageOr(key + ".body." + alert.errorCode(), key + ".body", locale, subject, detail, at)
                : get(key + ".body", locale, subject, detail, at);
        return new Text(get(key + ".title", locale, subject, detail, at), body);
    }

    String get(String key, Locale locale, Object... arguments) {
        return messages.getMessage(key, arguments, locale);
    }

    private String messageOr(String key, String fallbackKey, Locale locale, Object... arguments) {
        try {
            return messages.getMessage(key, arguments, locale);
        } catch (NoSuchMessageException e) {
            return messages.getMessage(fallbackKey, arguments, locale);
        }
    }
}
