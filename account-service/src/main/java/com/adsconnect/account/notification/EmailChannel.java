package com.adsconnect.account.notification;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Email through SMTP (Spring's {@link JavaMailSender}, {@code spring.mail.*}): a batch of alerts or
 * a weekly report as one message, HTML and plain text from the templates in
 * {@code notifications/mail/}, in the user's language and time zone, with a one-click
 * {@code List-Unsubscribe} (RFC 8058) and a Message-ID made of the batch id, so that a retry is the
 * same message. JavaMail blocks: sends run on the bounded-elastic scheduler, under
 * {@code notifications.send-timeout}.
 */
@Component
class EmailChannel {

    private final JavaMailSender sender;
    private final NotificationProperties properties;
    private final NotificationTexts texts;
    private final UnsubscribeLinks unsubscribeLinks;
    private final String messageIdDomain;
    private final Template alertsHtml;
    private final Template alertsText;
    private final Template weeklyHtml;
    private final Template weeklyText;

    EmailChannel(ObjectProvider<JavaMailSender> sender, NotificationProperties properties, NotificationTexts texts,
            UnsubscribeLinks unsubscribeLinks) throws MessagingException {
        this.sender = sender.getIfAvailable();
        this.properties = properties;
        this.texts = texts;
        this.unsubscribeLinks = unsubscribeLinks;
        if (this.sender != null && !unsubscribeLinks.configured()) {
            throw new IllegalStateException("An SMTP host is set (spring.mail.host) but notifications.email.unsubscribe-key is not: "
                    + "every email carries a signed unsubscribe link. Set NOTIFICATIONS_EMAIL_UNSUBSCRIBE_KEY (base64, 32 bytes or more).");
        }
        String from = new InternetAddress(properties.email().from()).getAddress();
        this.messageIdDomain = from.substring(from.indexOf('@') + 1);
        Mustache.Compiler html = Mustache.compiler().escapeHTML(true).defaultValue("");
        Mustache.Compiler text = Mustache.compiler().escapeHTML(false).defaultValue("");
        this.alertsHtml = compile(html, "alerts.html.mustache");
        this.alertsText = compile(text, "alerts.txt.mustache");
        this.weeklyHtml = compile(html, "weekly.html.mustache");
        this.weeklyText = compile(text, "weekly.txt.mustache");
    }

    boolean enabled() {
        return sender != null;
    }

    Mono<Void> sendAlerts(DeliveryQueue.Batch batch, Recipient recipient, List<DeliveryQueue.Alert> alerts) {
        Map<String, Object> model = common(recipient, UnsubscribeLinks.Topic.CONNECTION_ALERTS, "mail.alerts.reason",
                "mail.alerts.unsubscribe");
        String subject = alerts.size() == 1 ? alerts.getFirst().title()
                : texts.get("mail.alerts.subject.many", recipient.locale(), alerts.size());
        DateTimeFormatter time = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT)
                .withLocale(recipient.locale()).withZone(recipient.timeZone());
        model.put("subject", subject);
        model.put("intro", texts.get("mail.alerts.intro", recipient.locale()));
        model.put("items", alerts.stream().map(alert -> Map.of(
                "title", alert.title(), "body", alert.body(), "url", properties.email().appBaseUrl() + alert.link(),
                "time", time.format(alert.createdAt()),
                "action", texts.get(alert.type().needsAction() ? "mail.action.reconnect" : "mail.action.open", recipient.locale())))
                .toList());
        return send(batch.id(), recipient, subject, alertsText.execute(model), alertsHtml.execute(model),
                UnsubscribeLinks.Topic.CONNECTION_ALERTS);
    }

    Mono<Void> sendWeeklyReport(DeliveryQueue.Batch batch, Recipient recipient, LocalDate week,
            List<ConnectionReports.ConnectionWeek> connections) {
        Map<String, Object> model = common(recipient, UnsubscribeLinks.Topic.WEEKLY_REPORT, "mail.weekly.reason",
                "mail.weekly.unsubscribe");
        long healthy = connections.stream().filter(connection -> "ACTIVE".equals(connection.status())).count();
        long attention = connections.stream()
                .filter(connection -> "REFRESH_FAILING".equals(connection.status()) || "REAUTH_REQUIRED".equals(connection.status()))
                .count();
        String subject = texts.get("mail.weekly.subject", recipient.locale(), healthy, attention);
        DateTimeFormatter date = DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(recipient.locale());
        model.put("subject", subject);
        model.put("intro", texts.get("mail.weekly.intro", recipient.locale(), date.format(week), date.format(week.plusDays(6))));
        model.put("none", texts.get("mail.weekly.none", recipient.locale()));
        model.put("noConnections", connections.isEmpty());
        model.put("hasConnections", !connections.isEmpty());
        model.put("connections", connections.stream().map(connection -> Map.of(
                "name", connection.connectionName() == null ? connection.providerName()
                        : connection.providerName() + " (" + connection.connectionName() + ")",
                "status", texts.get("status." + connection.status(), recipient.locale()),
                "refreshes", texts.get("mail.weekly.refreshes", recipient.locale(), connection.refreshes(), connection.failures()),
                "url", properties.email().appBaseUrl() + Notifications.connectionLink(connection.connectionId())))
                .toList());
        return send(batch.id(), recipient, subject, weeklyText.execute(model), weeklyHtml.execute(model),
                UnsubscribeLinks.Topic.WEEKLY_REPORT);
    }

    private Map<String, Object> common(Recipient recipient, UnsubscribeLinks.Topic topic, String reasonKey, String unsubscribeKey) {
        String token = unsubscribeLinks.tokenFor(recipient.userId(), topic);
        Map<String, Object> model = new HashMap<>();
        model.put("language", recipient.locale().getLanguage());
        model.put("greeting", texts.get("mail.greeting", recipient.locale()));
        model.put("reason", texts.get(reasonKey, recipient.locale()));
        model.put("unsubscribe", texts.get(unsubscribeKey, recipient.locale()));
        model.put("unsubscribeUrl", properties.email().appBaseUrl() + "/settings/notifications/unsubscribe?token=" + token);
        model.put("manage", texts.get("mail.manage", recipient.locale()));
        model.put("manageUrl", properties.email().appBaseUrl() + "/settings/notifications");
        return model;
    }

    /** The Message-ID of a batch's message: the same on every attempt. */
    String messageIdOf(UUID batchId) {
        return "<" + batchId + "@" + messageIdDomain + ">";
    }

    private Mono<Void> send(UUID batchId, Recipient recipient, String subject, String text, String html, UnsubscribeLinks.Topic topic) {
        return Mono.fromRunnable(() -> {
                    try {
                        MimeMessage message = new FixedIdMessage(session(), messageIdOf(batchId));
                        MimeMessageHelper helper = new MimeMessageHelper(message, true, StandardCharsets.UTF_8.name());
                        helper.setFrom(properties.email().from());
                        helper.setTo(recipient.emailAddress());
                        helper.setSubject(subject);
                        helper.setText(text, html);
                        message.setHeader("List-Unsubscribe", "<" + properties.email().apiBaseUrl()
                                + "/api/v1/notifications/unsubscribe?token=" + unsubscribeLinks.tokenFor(recipient.userId(), topic) + ">");
                        message.setHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
                        message.setHeader("Auto-Submitted", "auto-generated");
                        sender.send(message);
                    } catch (MessagingException e) {
                        throw new DeliveryFailure("message_invalid", true, e);
                    }
                })
                .subscribeOn(Schedulers.boundedElastic())
                .timeout(properties.sendTimeout())
                .onErrorMap(error -> !(error instanceof DeliveryFailure), EmailChannel::classify)
                .then();
    }

    private Session session() {
        return sender instanceof JavaMailSenderImpl impl ? impl.getSession() : Session.getInstance(new java.util.Properties());
    }

    private static DeliveryFailure classify(Throwable error) {
        if (error instanceof TimeoutException) {
            return new DeliveryFailure("smtp_timeout", false, error);
        }
        if (error instanceof MailAuthenticationException) {
            return new DeliveryFailure("smtp_authentication", false, error);
        }
        if (error instanceof MailSendException send) {
            for (Exception cause : send.getFailedMessages().values()) {
                if (cause instanceof SendFailedException failed && failed.getInvalidAddresses() != null
                        && failed.getInvalidAddresses().length > 0) {
                    return new DeliveryFailure("address_rejected", true, error);
                }
            }
        }
        return new DeliveryFailure("smtp_unavailable", false, error);
    }

    private static Template compile(Mustache.Compiler compiler, String name) {
        try (Reader template = new InputStreamReader(new ClassPathResource("notifications/mail/" + name).getInputStream(),
                StandardCharsets.UTF_8)) {
            return compiler.compile(template);
        } catch (IOException e) {
            throw new IllegalStateException("missing mail template " + name, e);
        }
    }

    /** A message whose Message-ID is ours, not a new one per send. */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
