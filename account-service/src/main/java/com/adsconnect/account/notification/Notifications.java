package com.adsconnect.account.notification;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Owns the notifications: creates them in the transaction of the change they announce (with their
 * deliveries to the channels the user chose), and serves the in-app list.
 *
 * <p>{@link #announce} joins the caller's transaction: a change that rolls back leaves no
 * notification, and one that commits cannot lose it. The user's {@code connectionAlerts} off means
 * nothing is created; the in-app channel off means it is not listed; email and Slack get a delivery
 * row each when on (and, for Slack, a webhook is set), sent later by {@link DeliveryWorker}.
 */
@Component
public class Notifications {

    private final DatabaseClient db;
    private final Recipients recipients;
    private final NotificationTexts texts;
    private final EmailChannel email;
    private final Map<NotificationType, Counter> created = new EnumMap<>(NotificationType.class);

    Notifications(DatabaseClient db, Recipients recipients, NotificationTexts texts, EmailChannel email,
            MeterRegistry meters) {
        this.db = db;
        this.recipients = recipients;
        this.texts = texts;
        this.email = email;
        for (NotificationType type : NotificationType.values()) {
            created.put(type, Counter.builder("notifications.created").description("Notifications created, by type")
                    .tag("type", type.type()).register(meters));
        }
    }

    /** The front end's route to a connection. */
    static String connectionLink(UUID connectionId) {
        return "/integrations/" + connectionId;
    }

    /** The front end's route for a connection's notification: the connection, opened to reconnect it where that is what to do. */
    static String linkOf(NotificationType type, UUID connectionId) {
        return connectionLink(connectionId) + (type.needsAction() ? "?action=reconnect" : "");
    }

    /**
     * Creates the notification and its deliveries, in the caller's transaction; nothing when the user
     * turned connection alerts off or the same {@code dedupKey} was announced before.
     */
    public Mono<Void> announce(ConnectionAlert alert) {
        return recipients.find(alert.userId())
                .filter(Recipient::connectionAlerts)
                .flatMap(recipient -> {
                    NotificationTexts.Text text = texts.alert(alert, recipient);
                    return db.sql("""
                                    INSERT INTO notifications (user_id, type, connection_id, dedup_key, title, body, link, in_app)
                                    VALUES (:userId, :type, :connectionId, :dedupKey, :title, :body, :link, :inApp)
                                    ON CONFLICT (user_id, dedup_key) DO NOTHING
                                    RETURNING id""")
                            .bind("userId", alert.userId())
                            .bind("type", alert.type().type())
                            .bind("connectionId", Parameter.fromOrEmpty(alert.connectionId(), UUID.class))
                            .bind("dedupKey", alert.dedupKey())
                            .bind("title", text.title())
                            .bind("body", text.body())
                            .bind("link", linkOf(alert.type(), alert.connectionId()))
                            .bind("inApp", recipient.inApp() && !recipient.deleted())
                            .map(row -> row.get("id", Long.class))
                            .one()
                            .flatMap(id -> queueDeliveries(id, recipient))
                            .doOnSuccess(ignored -> created.get(alert.type()).increment());
                });
    }

    /** Whether this key was announced to the user (for example: a failing spell, before announcing its end). */
    public Mono<Boolean> announced(String userId, String dedupKey) {
        return db.sql("SELECT EXISTS (SELECT 1 FROM notifications WHERE user_id = :userId AND dedup_key = :dedupKey) AS found")
                .bind("userId", userId).bind("dedupKey", dedupKey)
                .map(row -> row.get("found", Boolean.class)).one();
    }

    private Mono<Void> queueDeliveries(long notificationId, Recipient recipient) {
        Mono<Long> byEmail = recipient.byEmail() && email.enabled()
                ? db.sql("""
                        INSERT INTO notification_deliveries (user_id, channel, kind, notification_id)
                        VALUES (:userId, 'EMAIL', 'ALERT', :id)""")
                        .bind("userId", recipient.userId()).bind("id", notificationId).fetch().rowsUpdated()
                : Mono.just(0L);
        Mono<Long> slack = recipient.bySlack()
                ? db.sql("""
                        INSERT INTO notification_deliveries (user_id, channel, kind, notification_id)
                        SELECT :userId, 'SLACK', 'ALERT', :id WHERE EXISTS (SELECT 1 FROM slack_webhooks WHERE user_id = :userId)""")
                        .bind("userId", recipient.userId()).bind("id", notificationId).fetch().rowsUpdated()
                : Mono.just(0L);
        return byEmail.then(slack).then();
    }

    /** One page of the user's in-app notifications, newest first, strictly older than {@code beforeId} when given. */
    public Mono<List<NotificationView>> page(String userId, boolean unreadOnly, int limit, Long beforeId) {
        return db.sql("""
                        SELECT id, type, title, body, link, connection_id, created_at, read_at FROM notifications
                        WHERE user_id = :userId AND in_app AND id < :beforeId AND (NOT :unreadOnly OR read_at IS NULL)
                        ORDER BY id DESC
                        LIMIT :limit""")
                .bind("userId", userId)
                .bind("beforeId", beforeId == null ? Long.MAX_VALUE : beforeId)
                .bind("unreadOnly", unreadOnly)
                .bind("limit", limit)
                .map(Notifications::view)
                .all()
                .collectList();
    }

    public Mono<Long> unreadCount(String userId) {
        return db.sql("SELECT count(*) AS n FROM notifications WHERE user_id = :userId AND in_app AND read_at IS NULL")
                .bind("userId", userId)
                .map(row -> row.get("n", Long.class)).one();
    }

    /** Marks one of the user's notifications read (once: a second call keeps the first time); empty if it is not the user's. */
    Mono<NotificationView> markRead(String userId, long id) {
        return db.sql("""
                        UPDATE notifications SET read_at = coalesce(read_at, now())
                        WHERE id = :id AND user_id = :userId AND in_app
                        RETURNING id, type, title, body, link, connection_id, created_at, read_at""")
                .bind("id", id).bind("userId", userId)
                .map(Notifications::view)
                .one();
    }

    /** Marks every unread notification of the user read; emits how many. */
    Mono<Long> markAllRead(String userId) {
        return db.sql("UPDATE notifications SET read_at = now() WHERE user_id = :userId AND in_app AND read_at IS NULL")
                .bind("userId", userId).fetch().rowsUpdated();
    }

    /** Retention: notifications, and finished deliveries, older than the cutoff; emits how many notifications. */
    public Mono<Long> deleteOlderThan(Instant cutoff) {
        OffsetDateTime at = cutoff.atOffset(ZoneOffset.UTC);
        return db.sql("DELETE FROM notification_deliveries WHERE state <> 'PENDING' AND created_at < :cutoff")
                .bind("cutoff", at).fetch().rowsUpdated()
                .then(db.sql("""
                                DELETE FROM notifications n WHERE created_at < :cutoff
                                AND NOT EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.notification_id = n.id AND d.state = 'PENDING')""")
                        .bind("cutoff", at).fetch().rowsUpdated());
    }

    /** A purged user's notifications, deliveries and Slack webhook. */
    public Mono<Void> erase(String userId) {
        return db.sql("DELETE FROM notification_deliveries WHERE user_id = :userId").bind("userId", userId).fetch().rowsUpdated()
                .then(db.sql("DELETE FROM notifications WHERE user_id = :userId").bind("userId", userId).fetch().rowsUpdated())
                .then(db.sql("DELETE FROM slack_webhooks WHERE user_id = :userId").bind("userId", userId).fetch().rowsUpdated())
                .then();
    }

    private static NotificationView view(Readable row) {
        return new NotificationView(String.valueOf(row.get("id", Long.class)), row.get("type", String.class),
                row.get("title", String.class), row.get("body", String.class), row.get("link", String.class),
                row.get("connection_id", UUID.class), instant(row.get("created_at", OffsetDateTime.class)),
                instant(row.get("read_at", OffsetDateTime.class)));
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
