package com.adsconnect.account.notification;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Queues each user's weekly report (the week before, Monday to Sunday in the user's time zone) once
 * the configured day and hour have come in that time zone (users who signed up during the week
 * get their first report the week after). The queue's unique row per user and
 * week makes it once per week whichever replica runs first, and a run missed (the service down at
 * the hour) is made up by the next run of the same week. Users with the report or email off, or
 * without an address, get nothing.
 */
@Component
class WeeklyReportJob {

    private static final Logger log = LoggerFactory.getLogger(WeeklyReportJob.class);
    private static final int PAGE = 500;

    private final Recipients recipients;
    private final DeliveryQueue queue;
    private final EmailChannel email;
    private final NotificationProperties properties;
    private final Clock clock;

    WeeklyReportJob(Recipients recipients, DeliveryQueue queue, EmailChannel email, NotificationProperties properties, Clock clock) {
        this.recipients = recipients;
        this.queue = queue;
        this.email = email;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(initialDelayString = "${notifications.weekly-report.initial-delay:2m}",
            fixedDelayString = "${notifications.weekly-report.interval:1h}")
    Mono<Void> run() {
        return Mono.defer(() -> queueDue(clock.instant()))
                .doOnNext(queued -> {
                    if (queued > 0) {
                        log.info("weekly report: queued {} reports", queued);
                    }
                })
                .onErrorResume(error -> {
                    log.warn("weekly report run failed; the next run retries: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** Queues the reports due at {@code now}; emits how many were queued by this call. */
    Mono<Long> queueDue(Instant now) {
        if (!email.enabled()) {
            return Mono.just(0L);
        }
        return page(null)
                .filter(recipient -> recipient.weeklyReport() && recipient.byEmail() && recipient.emailAddress() != null)
                .concatMap(recipient -> {
                    LocalDate week = dueWeek(recipient, now);
                    return week == null ? Mono.just(false) : queue.queueWeeklyReport(recipient.userId(), week);
                })
                .filter(Boolean::booleanValue)
                .count();
    }

    private Flux<Recipient> page(String after) {
        return recipients.page(after, PAGE).collectList()
                .flatMapMany(page -> page.size() < PAGE ? Flux.fromIterable(page)
                        : Flux.fromIterable(page).concatWith(Flux.defer(() -> page(page.getLast().userId()))));
    }

    /**
     * The week to report on at {@code now} (the one before the current week), or null before this
     * week's send time, or when the user signed up after that week began (nothing to report yet).
     */
    LocalDate dueWeek(Recipient recipient, Instant now) {
        ZonedDateTime local = now.atZone(recipient.timeZone());
        LocalDate weekStart = local.toLocalDate().with(TemporalAdjusters.previousOrSame(properties.weeklyReport().day()));
        ZonedDateTime sendFrom = weekStart.atTime(properties.weeklyReport().hour(), 0).atZone(recipient.timeZone());
        LocalDate reported = weekStart.minusWeeks(1);
        boolean hereThen = recipient.since().isBefore(weekStart.atStartOfDay(recipient.timeZone()).toInstant());
        return local.isBefore(sendFrom) || !hereThen ? null : reported;
    }
}
