package com.adsconnect.account.notification;

import io.micrometer.common.KeyValue;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.DefaultClientRequestObservationConvention;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Alerts to the user's Slack incoming webhook: a batch as one message (Block Kit sections with a
 * plain-text fallback). Slack answers {@code 200 ok}; 400/403/404/410 (invalid payload, action
 * prohibited, no such hook, archived channel) cannot be helped by retrying, 429 and 5xx can.
 */
@Component
class SlackChannel {

    private final WebClient webClient;
    private final SlackWebhooks webhooks;
    private final NotificationProperties properties;
    private final NotificationTexts texts;

    SlackChannel(WebClient.Builder builder, SlackWebhooks webhooks, NotificationProperties properties, NotificationTexts texts) {
        this.webhooks = webhooks;
        this.properties = properties;
        this.texts = texts;
        HttpClient http = HttpClient.create(ConnectionProvider.builder("slack").maxConnections(20)
                        .pendingAcquireTimeout(Duration.ofSeconds(5)).maxIdleTime(Duration.ofSeconds(20))
                        .evictInBackground(Duration.ofSeconds(10)).build())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .responseTimeout(Duration.ofSeconds(10))
                // a webhook answers, it never redirects: a redirect is not followed anywhere
                .followRedirect(false);
        this.webClient = builder.clone().clientConnector(new ReactorClientHttpConnector(http))
                .observationConvention(new WebhookHidingConvention(properties.slack().apiBaseUrl()))
                .build();
    }

    /**
     * A webhook's path is its secret: the client's metrics and spans name the route, never the
     * hook ({@code uri} and {@code http.url} would otherwise carry the path).
     */
    static final class WebhookHidingConvention extends DefaultClientRequestObservationConvention {

        static final String ROUTE = "/services/{team}/{channel}/{secret}";

        private final String apiBaseUrl;

        WebhookHidingConvention(String apiBaseUrl) {
            this.apiBaseUrl = apiBaseUrl;
        }

        @Override
        protected KeyValue uri(ClientRequestObservationContext context) {
            return KeyValue.of(super.uri(context).getKey(), ROUTE);
        }

        @Override
        protected KeyValue httpUrl(ClientRequestObservationContext context) {
            return KeyValue.of(super.httpUrl(context).getKey(), apiBaseUrl + ROUTE);
        }
    }

    Mono<Void> sendAlerts(Recipient recipient, List<DeliveryQueue.Alert> alerts) {
        return webhooks.stored(recipient.userId())
                .switchIfEmpty(Mono.error(() -> new DeliveryFailure("no_webhook", true, null)))
                .flatMap(stored -> webClient.post()
                        .uri(properties.slack().apiBaseUrl() + stored.path())
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(message(recipient, alerts))
                        .exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("").flatMap(body -> {
                            int status = response.statusCode().value();
                            if (status == 200) {
                                return Mono.<Void>empty();
                            }
                            boolean permanent = status == 400 || status == 403 || status == 404 || status == 410;
                            return Mono.error(new DeliveryFailure("slack_" + status, permanent, null));
                        })))
                .timeout(properties.sendTimeout())
                .onErrorMap(error -> !(error instanceof DeliveryFailure),
                        error -> new DeliveryFailure(error instanceof TimeoutException ? "slack_timeout" : "slack_unreachable",
                                false, error));
    }

    private Map<String, Object> message(Recipient recipient, List<DeliveryQueue.Alert> alerts) {
        String fallback = alerts.size() == 1 ? alerts.getFirst().title()
                : texts.get("slack.alerts.many", recipient.locale(), alerts.size());
        List<Map<String, Object>> blocks = new ArrayList<>();
        for (DeliveryQueue.Alert alert : alerts) {
            String url = properties.email().appBaseUrl() + alert.link();
            String action = texts.get(alert.type().needsAction() ? "mail.action.reconnect" : "mail.action.open", recipient.locale());
            blocks.add(Map.of("type", "section", "text", Map.of("type", "mrkdwn",
                    "text", "*" + escape(alert.title()) + "*\n" + escape(alert.body()) + "\n<" + url + "|" + escape(action) + ">")));
        }
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("text", fallback);
        message.put("blocks", blocks);
        return message;
    }

    /** Slack's mrkdwn control characters. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
