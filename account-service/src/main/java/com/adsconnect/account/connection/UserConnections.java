package com.adsconnect.account.connection;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import java.util.Map;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What happens to a user's connections when the user goes away: every connection is
 * disconnected (its token material deleted, a DISCONNECTED event emitted), in the caller's
 * transaction, so a deleted user leaves no usable Amazon token behind.
 */
@Service
public class UserConnections {

    private final ConnectionStore connections;
    private final AuditLog auditLog;
    private final ConnectionEvents events;

    UserConnections(ConnectionStore connections, AuditLog auditLog, ConnectionEvents events) {
        this.connections = connections;
        this.auditLog = auditLog;
        this.events = events;
    }

    /** Emits how many connections were disconnected. */
    public Mono<Long> disconnectAll(String userId, Actor actor, RequestOrigin origin) {
        // the list is read to the end first: the same transaction's connection runs the updates
        return connections.listForUser(userId)
                .collectList()
                .flatMapMany(Flux::fromIterable)
                .filter(connection -> connection.status() != ConnectionStatus.DISCONNECTED)
                .concatMap(before -> connections.disconnect(before.id())
                        .flatMap(after -> auditLog.record(AuditEntry.of(userId, actor, "connection.disconnected", origin)
                                        .withChange(Map.of("connectionId", before.id().toString(), "status", before.status().name()),
                                                Map.of("connectionId", before.id().toString(), "status", after.status().name(),
                                                        "cause", "user.deleted")))
                                .then(events.statusChanged(after, before.status(), ConnectionEvents.Reason.DISCONNECTED, null))))
                .count();
    }
}
