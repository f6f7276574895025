package com.adsconnect.account.connection;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.RequestOrigin;
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
    private final ConnectionLifecycle lifecycle;

    UserConnections(ConnectionStore connections, ConnectionLifecycle lifecycle) {
        this.connections = connections;
        this.lifecycle = lifecycle;
    }

    /** Emits how many connections were disconnected. */
    public Mono<Long> disconnectAll(String userId, Actor actor, RequestOrigin origin) {
        // the list is read to the end first: the same transaction's connection runs the updates
        return connections.listForUser(userId)
                .collectList()
                .flatMapMany(Flux::fromIterable)
                .filter(connection -> connection.status() != ConnectionStatus.DISCONNECTED)
                .concatMap(before -> lifecycle.disconnected(before, actor, origin, "user.deleted"))
                .count();
    }
}
