package com.adsconnect.account.notification;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Sends what the delivery queue holds: claims due batches, checks the user still wants them (the
 * preferences may have changed since), sends each as one message and reports the outcome. A failed
 * send is retried with exponential backoff as the same message, up to
 * {@code notifications.max-attempts}, so an SMTP or Slack outage delays messages but loses none.
 */
@Component
class DeliveryWorker {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final int BATCHES_PER_CLAIM = 50;
    private static final int CONCURRENT_SENDS = 4;
    private static final int MAX_CLAIMS_PER_RUN = 20;

    private final DeliveryQueue queue;
    private final Recipients recipients;
    private final EmailChannel email;
    private final SlackChannel slack;
    private final ConnectionReports reports;
    private final NotificationProperties properties;
    private final MeterRegistry meters;
    private final AtomicReference<Map<DeliveryQueue.Channel, DeliveryQueue.Backlog>> backlog = new AtomicReference<>(Map.of());

    DeliveryWorker(DeliveryQueue queue, Recipients recipients, EmailChannel email, SlackChannel slack, ConnectionReports reports,
            NotificationProperties properties, MeterRegistry meters) {
        this.queue = queue;
        this.recipients = recipients;
        this.email = email;
        this.slack = slack;
        this.reports = reports;
        this.properties = properties;
        this.meters = meters;
        for (DeliveryQueue.Channel channel : DeliveryQueue.Channel.values()) {
            String tag = channel.name().toLowerCase();
            Gauge.builder("notifications.delivery.backlog", backlog, value -> value.get().getOrDefault(channel, new DeliveryQueue.Backlog(0, 0)).pending())
                    .description("Deliveries waiting to be sent").tag("channel", tag).register(meters);
            Gauge.builder("notifications.delivery.oldest.pending", backlog,
                            value -> value.get().getOrDefault(channel, new DeliveryQueue.Backlog(0, 0)).oldestSeconds())
                    .description("How long the oldest waiting delivery has waited").baseUnit("seconds").tag("channel", tag).register(meters);
        }
    }

    /** Spring subscribes to this one publisher on every run: everything per run is in {@link #deliverDue}. */
    @Scheduled(initialDelayString = "${notifications.delivery-initial-delay:10s}", fixedDelayString = "${notifications.delivery-interval:5s}")
    Mono<Void> run() {
        return Mono.defer(this::deliverDue)
                .onErrorResume(error -> {
                    log.warn("notification delivery run failed; the next run retries: {}", error.toString());
                    return Mono.empty();
                });
    }

    /** Claims and sends due batches until none is left (at most a bounded number of claims), then refreshes the backlog gauges. */
    Mono<Void> deliverDue() {
        return claimAndSend(0).then(queue.backlog().doOnNext(backlog::set)).then();
    }

    private Mono<Void> claimAndSend(int round) {
        return queue.claim(BATCHES_PER_CLAIM, properties.batchWindow(), properties.deliveryLease())
                .flatMap(batches -> Flux.fromIterable(batches)
                        .flatMap(this::deliver, CONCURRENT_SENDS)
                        .then(batches.size() == BATCHES_PER_CLAIM && round + 1 < MAX_CLAIMS_PER_RUN ? claimAndSend(round + 1)
                                : Mono.empty()));
    }

    private Mono<Void> deliver(DeliveryQueue.Batch batch) {
        return recipients.find(batch.userId())
                .flatMap(recipient -> {
                    String skip = skipReason(batch, recipient);
                    if (skip != null) {
                        return queue.skipped(batch.id(), skip).doOnNext(rows -> count("skipped", batch, rows));
                    }
                    return send(batch, recipient)
                            .then(queue.sent(batch.id()))
                            .doOnNext(rows -> count("sent", batch, rows))
                            .onErrorResume(DeliveryFailure.class, failure -> failed(batch, failure));
                })
                .switchIfEmpty(Mono.defer(() -> queue.skipped(batch.id(), "no_recipient")))
                .then();
    }

    private String skipReason(DeliveryQueue.Batch batch, Recipient recipient) {
        boolean wanted = batch.kind() == DeliveryQueue.Kind.ALERT ? recipient.connectionAlerts() : recipient.weeklyReport();
        return switch (batch.channel()) {
            case EMAIL -> !wanted || !recipient.byEmail() ? "turned_off"
                    : !email.enabled() ? "email_off"
                    : recipient.emailAddress() == null ? "no_address" : null;
            case SLACK -> !wanted || !recipient.bySlack() || batch.kind() != DeliveryQueue.Kind.ALERT ? "turned_off" : null;
        };
    }

    private Mono<Void> send(DeliveryQueue.Batch batch, Recipient recipient) {
        if (batch.kind() == DeliveryQueue.Kind.WEEKLY_REPORT) {
            return queue.reportWeek(batch.id()).flatMap(week -> {
                Instant from = week.atStartOfDay(recipient.timeZone()).toInstant();
                Instant to = week.plusDays(7).atStartOfDay(recipient.timeZone()).toInstant();
                return reports.week(recipient.userId(), from, to)
                        .flatMap(connections -> email.sendWeeklyReport(batch, recipient, week, connections));
            });
        }
        return queue.alerts(batch.id()).flatMap(alerts -> alerts.isEmpty() ? Mono.empty()
                : batch.channel() == DeliveryQueue.Channel.EMAIL ? email.sendAlerts(batch, recipient, alerts)
                : slack.sendAlerts(recipient, alerts));
    }

    private Mono<Long> failed(DeliveryQueue.Batch batch, DeliveryFailure failure) {
        boolean last = failure.permanent() || batch.attempts() >= properties.maxAttempts();
        log.warn("{} delivery of batch {} failed (attempt {}): {}{}", batch.channel(), batch.id(), batch.attempts(), failure.code(),
                last ? "; given up" : "; retrying");
        meters.counter("notifications.delivery.failed", "channel", tag(batch), "final", String.valueOf(last), "error", failure.code())
                .increment(batch.size());
        return last ? queue.failed(batch.id(), failure.code())
                : queue.retryLater(batch.id(), Instant.now().plus(backoff(batch.attempts())), failure.code());
    }

    private Duration backoff(int attempts) {
        Duration backoff = properties.retryBackoff().multipliedBy(1L << Math.min(attempts - 1, 16));
        return backoff.compareTo(properties.maxRetryBackoff()) > 0 ? properties.maxRetryBackoff() : backoff;
    }

    private void count(String outcome, DeliveryQueue.Batch batch, long rows) {
        Counter counter = outcome.equals("sent")
                ? Counter.builder("notifications.delivered").description("Notifications delivered, by channel")
                        .tag("channel", tag(batch)).register(meters)
                : Counter.builder("notifications.delivery.skipped").description("Deliveries not sent: the user turned them off")
                        .tag("channel", tag(batch)).register(meters);
        counter.increment(rows);
    }

    private static String tag(DeliveryQueue.Batch batch) {
        return batch.channel().name().toLowerCase();
    }
}
