package com.adsconnect.account.connection;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.problem.ProblemTypes;
import com.adsconnect.account.provider.AdvertisingProfile;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.provider.ProviderAdapter;
import com.adsconnect.account.provider.ProviderException;
import com.adsconnect.account.provider.ProviderRegistry;
import com.adsconnect.account.provider.ProviderTokens;
import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * The user's side of connections: the connect flow, listing, profile sync, disconnecting.
 * Provider calls happen outside database transactions (a slow provider must not hold row locks or
 * pooled connections); what they return is stored in one transaction, and every status change
 * goes through {@link ConnectionLifecycle}.
 */
@Service
class ConnectionService {

    private final ProviderRegistry providers;
    private final OAuthStates states;
    private final ConnectionStore connections;
    private final TokenVault vault;
    private final AuditLog auditLog;
    private final ConnectionLifecycle lifecycle;
    private final AccountHolders accountHolders;
    private final TransactionalOperator transaction;

    ConnectionService(ProviderRegistry providers, OAuthStates states, ConnectionStore connections, TokenVault vault,
            AuditLog auditLog, ConnectionLifecycle lifecycle, AccountHolders accountHolders, TransactionalOperator transaction) {
        this.providers = providers;
        this.states = states;
        this.connections = connections;
        this.vault = vault;
        this.auditLog = auditLog;
        this.lifecycle = lifecycle;
        this.accountHolders = accountHolders;
        this.transaction = transaction;
    }

    Mono<AuthorizationStart> start(String userId, Provider provider, String region) {
        ProviderAdapter adapter = providers.get(provider);
        if (region == null || !adapter.regions().contains(region)) {
            return Mono.error(ApiProblem.invalidField("region", "must be one of " + String.join(", ", adapter.regions())));
        }
        return authorize(userId, adapter, region, null);
    }

    Mono<AuthorizationStart> reauthorize(String userId, UUID connectionId) {
        return connections.findForUser(userId, connectionId)
                .switchIfEmpty(Mono.error(() -> notFound(connectionId)))
                .flatMap(connection -> authorize(userId, providers.get(connection.provider()), connection.region(), connection.id()));
    }

    private Mono<AuthorizationStart> authorize(String userId, ProviderAdapter adapter, String region, UUID connectionId) {
        return states.issue(userId, adapter.provider(), region, connectionId, adapter.usesPkce())
                .map(issued -> new AuthorizationStart(adapter.authorizationUrl(region, issued.state(), issued.codeChallenge()),
                        issued.state(), issued.expiresAt()));
    }

    /**
     * Completes an authorization: the state is consumed first (single use even when what follows
     * fails), then the code is exchanged and the profiles listed, then everything is stored.
     */
    Mono<ConnectionView> complete(String userId, String code, String state, RequestOrigin origin) {
        if (code == null || code.isBlank() || code.length() > 2048) {
            return Mono.error(ApiProblem.invalidField("code", "is required"));
        }
        return states.consume(userId, state).flatMap(consumed -> {
            ProviderAdapter adapter = providers.get(consumed.provider());
            return adapter.exchangeCode(consumed.region(), code, consumed.codeVerifier())
                    .flatMap(tokens -> adapter.listProfiles(consumed.region(), tokens.accessToken())
                            .flatMap(profiles -> store(userId, adapter, consumed, tokens, profiles, origin)))
                    .onErrorMap(ProviderException.class, ProviderProblems::of);
        });
    }

    private Mono<ConnectionView> store(String userId, ProviderAdapter adapter, OAuthStates.Consumed consumed,
            ProviderTokens tokens, List<AdvertisingProfile> profiles, RequestOrigin origin) {
        String accountKey = adapter.accountKey(profiles);
        if (accountKey == null) {
            return Mono.error(new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.PROVIDER_ACCOUNT_WITHOUT_PROFILES,
                    "No advertising profiles", "This Amazon account has no Amazon Ads profiles in the chosen region."));
        }
        Instant expiresAt = Instant.now().plus(tokens.expiresIn());
        // the user may have been deleted while the provider answered: then nothing is stored
        Mono<ConnectionView> work = accountHolders.holdAgainstDeletion(userId)
                .then(existingConnection(userId, adapter.provider(), consumed, accountKey))
                .flatMap(existing -> lifecycle.reauthorized(existing, expiresAt, tokens, profiles, consumed.connectionId() != null
                                ? "connection.reauthorized" : "connection.updated", origin)
                        .map(updated -> ConnectionView.of(updated, profiles)))
                .switchIfEmpty(Mono.defer(() -> lifecycle.connected(userId, adapter.provider(), consumed.region(), accountKey,
                                expiresAt, tokens, profiles, origin)
                        .map(created -> ConnectionView.of(created, profiles))));
        return transaction.transactional(work);
    }

    /** The row to update: the one being reauthorized (which must be the same account), or the same account's. */
    private Mono<Connection> existingConnection(String userId, Provider provider, OAuthStates.Consumed consumed, String accountKey) {
        if (consumed.connectionId() == null) {
            return connections.findByAccountForUpdate(userId, provider, consumed.region(), accountKey);
        }
        return connections.findForUserForUpdate(userId, consumed.connectionId())
                .switchIfEmpty(Mono.error(() -> notFound(consumed.connectionId())))
                .flatMap(connection -> connection.accountKey().equals(accountKey)
                        ? Mono.just(connection)
                        : Mono.error(new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.PROVIDER_ACCOUNT_MISMATCH,
                                "Different Amazon account", "The authorization was for another Amazon account than this connection's. "
                                        + "Sign in to Amazon with the connection's account, or add it as a new connection.")));
    }

    Mono<List<ConnectionView>> list(String userId) {
        return connections.listForUser(userId).collectList()
                .flatMap(list -> connections.profilesOf(list.stream().map(Connection::id).toList())
                        .map(profiles -> list.stream()
                                .map(c -> ConnectionView.of(c, profiles.getOrDefault(c.id(), List.of())))
                                .toList()));
    }

    Mono<ConnectionView> get(String userId, UUID id) {
        return connections.findForUser(userId, id)
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .flatMap(connection -> connections.profilesOf(List.of(id))
                        .map(profiles -> ConnectionView.of(connection, profiles.getOrDefault(id, List.of()))));
    }

    /** Lists the profiles again with the current access token. */
    Mono<ConnectionView> sync(String userId, UUID id, RequestOrigin origin) {
        return connections.findForUser(userId, id)
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .flatMap(connection -> {
                    if (connection.status() == ConnectionStatus.DISCONNECTED || connection.status() == ConnectionStatus.REAUTH_REQUIRED) {
                        return Mono.error(notUsable(connection, "Reconnect it first."));
                    }
                    if (connection.accessTokenExpiresAt() == null || connection.accessTokenExpiresAt().isBefore(Instant.now())) {
                        return Mono.error(notUsable(connection, "Its access token is being refreshed; try again in a minute."));
                    }
                    ProviderAdapter adapter = providers.get(connection.provider());
                    return connections.tokens(id)
                            .switchIfEmpty(Mono.error(() -> notUsable(connection, "It holds no tokens.")))
                            .map(tokens -> vault.decrypt(tokens.accessToken(), userId, id.toString(), TokenKind.ACCESS_TOKEN))
                            .flatMap(accessToken -> adapter.listProfiles(connection.region(), accessToken))
                            .onErrorMap(ProviderException.class, ProviderProblems::of)
                            .flatMap(profiles -> transaction.transactional(connections.replaceProfiles(id, profiles)
                                    .then(auditLog.record(AuditEntry.of(userId, Actor.user(userId), "connection.profiles_synced", origin)
                                            .withChange(null, Map.of("connectionId", id.toString(), "profiles", profiles.size()))))
                                    .thenReturn(ConnectionView.of(connection, profiles))));
                });
    }

    /**
     * Deletes the token material and marks the connection disconnected. Amazon offers no API to
     * revoke a refresh token; users revoke app access in their Amazon account settings.
     */
    Mono<ConnectionView> disconnect(String userId, UUID id, RequestOrigin origin) {
        Mono<ConnectionView> work = connections.findForUserForUpdate(userId, id)
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .flatMap(before -> before.status() == ConnectionStatus.DISCONNECTED
                        ? connections.profilesOf(List.of(id)).map(p -> ConnectionView.of(before, p.getOrDefault(id, List.of())))
                        : lifecycle.disconnected(before, Actor.user(userId), origin, null)
                                .flatMap(after -> connections.profilesOf(List.of(id))
                                        .map(p -> ConnectionView.of(after, p.getOrDefault(id, List.of())))));
        return transaction.transactional(work);
    }

    static ApiProblem notFound(UUID id) {
        return ApiProblem.notFound("There is no connection " + id + ".");
    }

    private static ApiProblem notUsable(Connection connection, String advice) {
        return new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.CONNECTION_NOT_USABLE, "Connection not usable",
                "The connection is " + connection.status() + ". " + advice, Map.of("status", connection.status().name()));
    }
}
