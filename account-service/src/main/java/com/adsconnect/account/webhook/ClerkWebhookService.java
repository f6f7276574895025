package com.adsconnect.account.webhook;

import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.user.ClerkSync;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Applies verified Clerk webhooks exactly once per {@code svix-id}: the id is recorded in the same
 * transaction as the change, so a redelivery after a crash either finds it (and is acknowledged
 * without effect) or finds nothing (and is applied).
 */
@Service
class ClerkWebhookService {

    private static final Logger log = LoggerFactory.getLogger(ClerkWebhookService.class);

    enum Outcome { APPLIED, STALE, DUPLICATE, IGNORED }

    private final DatabaseClient db;
    private final ClerkSync clerkSync;
    private final TransactionalOperator transaction;

    ClerkWebhookService(DatabaseClient db, ClerkSync clerkSync, TransactionalOperator transaction) {
        this.db = db;
        this.clerkSync = clerkSync;
        this.transaction = transaction;
    }

    Mono<Outcome> handle(String svixId, ClerkUserEvent event, RequestOrigin origin) {
        Mono<Outcome> work = markProcessed(svixId, event.type()).flatMap(first -> {
            if (!first) {
                return Mono.just(Outcome.DUPLICATE);
            }
            return switch (event.type()) {
                case "user.created", "user.updated" -> clerkSync.apply(event.type(), event.identity(), svixId, origin)
                        .map(applied -> applied ? Outcome.APPLIED : Outcome.STALE);
                case "user.deleted" -> clerkSync.delete(event.identity().userId(), svixId, origin)
                        .map(applied -> applied ? Outcome.APPLIED : Outcome.STALE);
                default -> {
                    log.info("ignoring Clerk webhook of type {} (svix-id {})", event.type(), svixId);
                    yield Mono.just(Outcome.IGNORED);
                }
            };
        });
        return transaction.transactional(work);
    }

    private Mono<Boolean> markProcessed(String svixId, String type) {
        return db.sql("INSERT INTO processed_webhooks (svix_id, event_type) VALUES (:id, :type) ON CONFLICT (svix_id) DO NOTHING")
                .bind("id", svixId)
                .bind("type", type.length() > 100 ? type.substring(0, 100) : type)
                .fetch().rowsUpdated()
                .map(rows -> rows > 0);
    }
}
