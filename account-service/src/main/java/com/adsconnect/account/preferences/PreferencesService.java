package com.adsconnect.account.preferences;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.notification.UnsubscribeLinks;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.user.UserStore;
import java.util.List;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Reading and changing preferences. Every change locks the user's row, so concurrent changes of
 * one user apply one after the other, and writes the new state, a history entry and an audit
 * event in one transaction.
 */
@Service
public class PreferencesService {

    private final PreferencesStore store;
    private final PreferencesSchema schema;
    private final UserStore users;
    private final AuditLog auditLog;
    private final TransactionalOperator transaction;

    PreferencesService(PreferencesStore store, PreferencesSchema schema, UserStore users, AuditLog auditLog,
            TransactionalOperator transaction) {
        this.store = store;
        this.schema = schema;
        this.users = users;
        this.auditLog = auditLog;
        this.transaction = transaction;
    }

    public Mono<PreferencesView> get(String userId) {
        return store.current(userId)
                .map(stored -> new PreferencesView(PreferencesSchema.CURRENT_VERSION, stored.revision(), stored.updatedAt(),
                        schema.read(stored.schemaVersion(), stored.document())))
                .defaultIfEmpty(new PreferencesView(PreferencesSchema.CURRENT_VERSION, 0, null, Preferences.defaults()));
    }

    Mono<PreferencesView> patch(String userId, JsonNode patch, RequestOrigin origin) {
        return change(userId, origin, "preferences.updated", "UPDATE", current -> schema.patch(current, patch));
    }

    /** An unsubscribe link: the one kind of email it names turned off (nothing else changes). */
    Mono<PreferencesView> unsubscribe(String userId, UnsubscribeLinks.Topic topic, RequestOrigin origin) {
        return change(userId, origin, "preferences.unsubscribed", "UPDATE", current -> {
            Preferences.Notifications n = current.notifications();
            Preferences.Notifications off = switch (topic) {
                case CONNECTION_ALERTS -> new Preferences.Notifications(n.channels(), false, n.weeklyReport(), n.productUpdates());
                case WEEKLY_REPORT -> new Preferences.Notifications(n.channels(), n.connectionAlerts(), false, n.productUpdates());
            };
            return new Preferences(current.theme(), current.locale(), current.timeZone(), off, current.assistant(), current.dashboard());
        });
    }

    Mono<PreferencesView> reset(String userId, RequestOrigin origin) {
        return change(userId, origin, "preferences.reset", "RESET", current -> Preferences.defaults());
    }

    Mono<PreferencesView> rollback(String userId, int revision, RequestOrigin origin) {
        return transaction.transactional(store.historyEntry(userId, revision)
                .switchIfEmpty(Mono.error(() -> ApiProblem.notFound("There is no preferences revision " + revision + ".")))
                .flatMap(entry -> changeInTransaction(userId, origin, "preferences.rolled_back", "ROLLBACK",
                        current -> schema.read(entry.schemaVersion(), entry.document()))));
    }

    Mono<List<PreferencesHistoryEntry>> history(String userId, int limit, Integer beforeRevision) {
        return store.history(userId, limit, beforeRevision == null ? Integer.MAX_VALUE : beforeRevision)
                .map(row -> new PreferencesHistoryEntry(row.revision(), row.change(), row.changedAt().toInstant(),
                        schema.read(row.schemaVersion(), row.document())))
                .collectList();
    }

    private Mono<PreferencesView> change(String userId, RequestOrigin origin, String action, String change,
            UnaryOperator<Preferences> next) {
        return transaction.transactional(changeInTransaction(userId, origin, action, change, next));
    }

    private Mono<PreferencesView> changeInTransaction(String userId, RequestOrigin origin, String action, String change,
            UnaryOperator<Preferences> next) {
        return users.findForUpdate(userId)
                .then(store.current(userId).map(Optional::of).defaultIfEmpty(Optional.empty()))
                .flatMap(stored -> {
                    int revision = stored.map(StoredPreferences::revision).orElse(0);
                    Preferences before = stored.map(s -> schema.read(s.schemaVersion(), s.document())).orElse(Preferences.defaults());
                    Preferences after = next.apply(before);
                    JsonNode afterTree = schema.toTree(after);
                    return store.write(userId, afterTree, revision + 1, change)
                            .flatMap(writtenAt -> auditLog.record(AuditEntry.of(userId, Actor.user(userId), action, origin)
                                    .withChange(Map.of("revision", revision, "preferences", schema.toTree(before)),
                                            Map.of("revision", revision + 1, "preferences", afterTree)))
                                    .thenReturn(writtenAt))
                            .map(writtenAt -> new PreferencesView(PreferencesSchema.CURRENT_VERSION, revision + 1,
                                    writtenAt, after));
                });
    }
}
