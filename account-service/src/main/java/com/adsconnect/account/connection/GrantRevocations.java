package com.adsconnect.account.connection;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.provider.ProviderAdapter;
import com.adsconnect.account.provider.ProviderException;
import com.adsconnect.account.provider.ProviderRegistry;
import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.reactive.TransactionSynchronization;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Revoking a disconnected connection's grant at its provider, where the provider offers that
 * (Google): the refresh token is read while the connection's row is locked, before its token
 * material is deleted, and the provider is called only once the disconnect has committed (a slow
 * provider holds no row lock, and a rolled-back disconnect revokes nothing). Best effort: the
 * tokens are gone from here either way; each outcome is audited and a failure logged. A process
 * killed between the commit and the call leaves the grant to expire at the provider.
 */
@Component
class GrantRevocations {

    private static final Logger log = LoggerFactory.getLogger(GrantRevocations.class);

    /** A grant to revoke. {@link #toString()} leaves the refresh token out. */
    record Grant(String userId, UUID connectionId, Provider provider, String region, String refreshToken) {
        @Override
        public String toString() {
            return "Grant[connectionId=" + connectionId + ", provider=" + provider + "]";
        }
    }

    private final ProviderRegistry providers;
    private final ConnectionStore connections;
    private final TokenVault vault;
    private final AuditLog auditLog;

    GrantRevocations(ProviderRegistry providers, ConnectionStore connections, TokenVault vault, AuditLog auditLog) {
        this.providers = providers;
        this.connections = connections;
        this.vault = vault;
        this.auditLog = auditLog;
    }

    /** The connection's grant, if its provider revokes grants and it holds tokens; read before they are deleted. */
    Mono<Optional<Grant>> grantOf(Connection connection) {
        boolean revokes = providers.find(connection.provider()).map(ProviderAdapter::revokes).orElse(false);
        if (!revokes) {
            return Mono.just(Optional.empty());
        }
        return connections.tokens(connection.id())
                .map(tokens -> Optional.of(new Grant(connection.userId(), connection.id(), connection.provider(), connection.region(),
                        vault.decrypt(tokens.refreshToken(), connection.userId(), connection.id().toString(), TokenKind.REFRESH_TOKEN))))
                .defaultIfEmpty(Optional.empty());
    }

    /** Revokes now (the caller's disconnect has committed), and audits the outcome. */
    Mono<Void> revoke(Grant grant, Actor actor, RequestOrigin origin) {
        ProviderAdapter adapter = providers.find(grant.provider()).orElse(null);
        if (adapter == null) {
            return Mono.empty();
        }
        return adapter.revoke(grant.region(), grant.refreshToken())
                .then(Mono.just(true))
                .onErrorResume(ProviderException.class, error -> {
                    log.warn("revoking the grant of connection {} at {} failed: {} ({})", grant.connectionId(),
                            grant.provider().displayName(), error.getMessage(), error.kind());
                    return Mono.just(false);
                })
                .flatMap(revoked -> auditLog.record(AuditEntry.of(grant.userId(), actor,
                                revoked ? "connection.grant_revoked" : "connection.grant_revocation_failed", origin)
                        .withChange(null, Map.of("connectionId", grant.connectionId().toString(), "provider", grant.provider().name()))));
    }

    /**
     * Revokes once the caller's transaction has committed (the caller's answer waits for it, within
     * the provider call's deadline); right away when there is no transaction.
     */
    Mono<Void> revokeAfterCommit(List<Grant> grants, Actor actor, RequestOrigin origin) {
        if (grants.isEmpty()) {
            return Mono.empty();
        }
        Mono<Void> revokeAll = Flux.fromIterable(grants).concatMap(grant -> revoke(grant, actor, origin)).then();
        return TransactionSynchronizationManager.forCurrentTransaction()
                .doOnNext(synchronizations -> synchronizations.registerSynchronization(new TransactionSynchronization() {
                    @Override
                    public Mono<Void> afterCommit() {
                        // outside the committed transaction: its connection is still bound, and what ran on it now
                        // would not be committed; the audit entries get a connection of their own (all-users scope)
                        return revokeAll.contextWrite(committed -> Context.empty()).onErrorResume(error -> {
                            log.warn("revoking {} grants after a commit failed: {}", grants.size(), error.toString());
                            return Mono.empty();
                        });
                    }
                }))
                .then()
                .onErrorResume(NoTransactionException.class, none -> revokeAll);
    }
}
