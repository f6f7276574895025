package com.adsconnect.account.connection;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.RequestOrigin;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What happens to a user's connections when the user goes away: every connection is
 * disconnected (its token material deleted, a DISCONNECTED event emitted), in the caller's
 * transaction, so a deleted user leaves no usable token behind.
 */
@Service
public class UserConnections {

    private final ConnectionStore connections;
    private final ConnectionLifecycle lifecycle;
    private final GrantRevocations revocations;

    UserConnections(ConnectionStore connections, ConnectionLifecycle lifecycle, GrantRevocations revocations) {
        this.connections = connections;
        this.lifecycle = lifecycle;
        this.revocations = revocations;
    }

    /**
     * Emits how many connections were disconnected. Grants the provider can revoke (Google's) are
     * revoked once the caller's transaction has committed.
     */
    public Mono<Long> disconnectAll(String userId, Actor actor, RequestOrigin origin) {
        // the list is read to the end first: the same transaction's connection runs the updates
        return connections.listForUser(userId)
                .collectList()
                .flatMapMany(Flux::fromIterable)
                .filter(connection -> connection.status() != ConnectionStatus.DISCONNECTED)
                .concatMap(before -> revocations.grantOf(before)
                        .flatMap(grant -> lifecycle.disconnected(before, actor, origin, "user.deleted").thenReturn(grant)))
                .collectList()
                .flatMap(grants -> revocations.revokeAfterCommit(grants.stream().flatMap(java.util.Optional::stream).toList(), actor, origin)
                        .thenReturn((long) grants.size()));
    }
}
