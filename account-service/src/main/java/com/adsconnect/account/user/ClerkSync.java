package com.adsconnect.account.user;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.connection.UserConnections;
import java.util.Optional;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

/**
 * Applies what Clerk reports about a user, newest data wins: a delivery whose {@code updated_at}
 * is not newer than what is stored changes nothing, and a deleted user is never revived. Runs
 * inside the caller's transaction.
 */
@Service
public class ClerkSync {

    private final UserStore users;
    private final AuditLog auditLog;
    private final UserConnections userConnections;

    ClerkSync(UserStore users, AuditLog auditLog, UserConnections userConnections) {
        this.users = users;
        this.auditLog = auditLog;
        this.userConnections = userConnections;
    }

    /** Emits whether the data was applied. */
    public Mono<Boolean> apply(String action, ClerkIdentity identity, String svixId, RequestOrigin origin) {
        return users.findForUpdate(identity.userId()).map(Optional::of).defaultIfEmpty(Optional.empty())
                .flatMap(before -> users.applyClerkData(identity)
                        .flatMap(after -> auditLog.record(AuditEntry.of(identity.userId(), Actor.webhook(svixId), action, origin)
                                        .withChange(before.map(ClerkSync::summary).orElse(null), identity.summary()))
                                .thenReturn(true))
                        .defaultIfEmpty(false));
    }

    /** Emits whether this delivery deleted the user (false when already deleted). */
    public Mono<Boolean> delete(String userId, String svixId, RequestOrigin origin) {
        return users.softDelete(userId)
                .flatMap(deleted -> deleted
                        ? auditLog.record(AuditEntry.of(userId, Actor.webhook(svixId), "user.deleted", origin))
                                .then(userConnections.disconnectAll(userId, Actor.webhook(svixId), origin))
                                .thenReturn(true)
                        : Mono.just(false));
    }

    private static java.util.Map<String, Object> summary(User user) {
        return new ClerkIdentity(user.id(), user.email(), user.firstName(), user.lastName(), user.imageUrl(), null).summary();
    }
}
