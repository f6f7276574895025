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
public class ConnectionService {

    private final ProviderRegistry providers;
    private final OAuthStates states;
    private final ConnectionStore connections;
    private final TokenVault vault;
    private final AuditLog auditLog;
    private final ConnectionLifecycle lifecycle;
    private final AccountHolders accountHolders;
    private final GrantRevocations revocations;
    private final TransactionalOperator transaction;

    ConnectionService(ProviderRegistry providers, OAuthStates states, ConnectionStore connections, TokenVault vault,
            AuditLog auditLog, ConnectionLifecycle lifecycle, AccountHolders accountHolders, GrantRevocations revocations,
            TransactionalOperator transaction) {
        this.providers = providers;
        this.states = states;
        this.connections = connections;
        this.vault = vault;
        this.auditLog = auditLog;
        this.lifecycle = lifecycle;
        this.accountHolders = accountHolders;
        this.revocations = revocations;
        this.transaction = transaction;
    }

    Mono<AuthorizationStart> start(String userId, Provider provider, String requestedRegion) {
        ProviderAdapter adapter = providers.find(provider).orElse(null);
        if (adapter == null) {
            return Mono.error(ProviderProblems.notEnabled(provider));
        }
        String region = requestedRegion == null ? adapter.defaultRegion() : requestedRegion;
        if (region == null || !adapter.regions().contains(region)) {
            return Mono.error(ApiProblem.invalidField("region", "must be one of " + String.join(", ", adapter.regions())));
        }
        return authorize(userId, adapter, region, null);
    }

    Mono<AuthorizationStart> reauthorize(String userId, UUID connectionId) {
        return connections.findForUser(userId, connectionId)
                .switchIfEmpty(Mono.error(() -> notFound(connectionId)))
                .flatMap(connection -> providers.find(connection.provider())
                        .map(adapter -> authorize(userId, adapter, connection.region(), connection.id()))
                        .orElseGet(() -> Mono.error(ProviderProblems.notEnabled(connection.provider()))));
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
    /**
     * Step 2 for either route (the Amazon alias's and the integrations'): a request without a state
     * is refused before the user is even resolved.
     */
    Mono<ConnectionView> complete(Mono<com.adsconnect.account.security.SignedInUser> signedIn, String code, String state,
            RequestOrigin origin) {
        if (state == null || state.isBlank()) {
            return Mono.error(ApiProblem.invalidField("state", "is required"));
        }
        return signedIn.flatMap(user -> complete(user.id(), code, state, origin));
    }

    private Mono<ConnectionView> complete(String userId, String code, String state, RequestOrigin origin) {
        if (code == null || code.isBlank() || code.length() > 2048) {
            return Mono.error(ApiProblem.invalidField("code", "is required"));
        }
        return states.consume(userId, state).flatMap(consumed -> {
            ProviderAdapter adapter = providers.find(consumed.provider()).orElse(null);
            if (adapter == null) {
                return Mono.error(ProviderProblems.notEnabled(consumed.provider()));
            }
            return adapter.exchangeCode(consumed.region(), code, consumed.codeVerifier())
                    .flatMap(tokens -> requireScopes(adapter, consumed.region(), tokens))
                    .flatMap(tokens -> adapter.listProfiles(consumed.region(), tokens.accessToken())
                            .flatMap(profiles -> store(userId, adapter, consumed, tokens, profiles, origin)))
                    .onErrorMap(ProviderException.class, ProviderProblems::of);
        });
    }

    /**
     * A consent that left out a required scope (Google and Microsoft let users untick them) is
     * refused, and the grant it made is revoked where the provider allows: a connection that cannot
     * do its job is never stored. The user is told which scopes to grant.
     */
    private Mono<ProviderTokens> requireScopes(ProviderAdapter adapter, String region, ProviderTokens tokens) {
        java.util.Set<String> missing = adapter.missingScopes(tokens.grantedScopes());
        if (missing.isEmpty()) {
            return Mono.just(tokens);
        }
        ApiProblem problem = new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.CONNECTION_MISSING_SCOPES,
                "Permissions missing", "The " + adapter.provider().displayName() + " consent did not grant every permission this "
                        + "connection needs. Connect again and leave all of them ticked.",
                Map.of("missingScopes", List.copyOf(missing)));
        Mono<Void> revoke = adapter.revokes() ? adapter.revoke(region, tokens.refreshToken()).onErrorResume(ProviderException.class, e -> Mono.empty())
                : Mono.empty();
        return revoke.then(Mono.error(problem));
    }

    private Mono<ConnectionView> store(String userId, ProviderAdapter adapter, OAuthStates.Consumed consumed,
            ProviderTokens tokens, List<AdvertisingProfile> profiles, RequestOrigin origin) {
        String accountKey = adapter.accountKey(profiles);
        if (accountKey == null) {
            return Mono.error(new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.PROVIDER_ACCOUNT_WITHOUT_PROFILES,
                    "No advertising profiles", "This " + adapter.provider().displayName() + " sign-in has no advertising accounts"
                            + (adapter.regions().size() > 1 ? " in the chosen region." : ".")));
        }
        // a provider that does not say what it granted (Login with Amazon) granted what was asked
        ProviderTokens granted = tokens.grantedScopes() != null ? tokens
                : tokens.withGrantedScopes(adapter.requiredScopes());
        Instant expiresAt = Instant.now().plus(tokens.expiresIn());
        // the user may have been deleted while the provider answered: then nothing is stored
        Mono<ConnectionView> work = accountHolders.holdAgainstDeletion(userId)
                .then(existingConnection(userId, adapter.provider(), consumed, accountKey))
                .flatMap(existing -> lifecycle.reauthorized(existing, expiresAt, granted, profiles, consumed.connectionId() != null
                                ? "connection.reauthorized" : "connection.updated", origin)
                        .map(updated -> view(updated, profiles)))
                .switchIfEmpty(Mono.defer(() -> lifecycle.connected(userId, adapter.provider(), consumed.region(), accountKey,
                                expiresAt, granted, profiles, origin)
                        .map(created -> view(created, profiles))));
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
                                "Different " + provider.displayName() + " account", "The authorization was for another "
                                        + provider.displayName() + " account than this connection's. Sign in with the connection's "
                                        + "account, or add it as a new connection.")));
    }

    /** The user's connections of every provider, or of one ({@code provider} not null), oldest first. */
    public Mono<List<ConnectionView>> list(String userId, Provider provider) {
        return connections.listForUser(userId)
                .filter(connection -> provider == null || connection.provider() == provider)
                .collectList()
                .flatMap(list -> connections.profilesOf(list.stream().map(Connection::id).toList())
                        .map(profiles -> list.stream()
                                .map(c -> view(c, profiles.getOrDefault(c.id(), List.of())))
                                .toList()));
    }

    /** Names the connection as the user likes (1 to 100 characters), or drops its name ({@code null}). */
    Mono<ConnectionView> relabel(String userId, UUID id, String label, RequestOrigin origin) {
        String trimmed = label == null ? null : label.strip();
        if (trimmed != null && (trimmed.isEmpty() || trimmed.codePointCount(0, trimmed.length()) > 100
                || trimmed.codePoints().anyMatch(Character::isISOControl))) {
            return Mono.error(ApiProblem.invalidField("label", "must be 1 to 100 characters without control characters, or null"));
        }
        Mono<ConnectionView> work = connections.findForUserForUpdate(userId, id)
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .flatMap(before -> connections.relabel(userId, id, trimmed)
                        .flatMap(after -> auditLog.record(AuditEntry.of(userId, Actor.user(userId), "connection.relabeled", origin)
                                        .withChange(labelOf(before), labelOf(after)))
                                .then(connections.profilesOf(List.of(id)))
                                .map(profiles -> view(after, profiles.getOrDefault(id, List.of())))));
        return transaction.transactional(work);
    }

    private static Map<String, Object> labelOf(Connection connection) {
        Map<String, Object> label = new java.util.LinkedHashMap<>();
        label.put("connectionId", connection.id().toString());
        label.put("label", connection.label());
        return label;
    }

    /** The view of a connection, its scopes compared with what its provider requires. */
    ConnectionView view(Connection connection, List<AdvertisingProfile> profiles) {
        return ConnectionView.of(connection, profiles, providers.find(connection.provider())
                .map(adapter -> adapter.missingScopes(connection.grantedScopes())).orElse(java.util.Set.of()));
    }

    Mono<ConnectionView> get(String userId, UUID id) {
        return connections.findForUser(userId, id)
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .flatMap(connection -> connections.profilesOf(List.of(id))
                        .map(profiles -> view(connection, profiles.getOrDefault(id, List.of()))));
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
                    ProviderAdapter adapter = providers.find(connection.provider()).orElse(null);
                    if (adapter == null) {
                        return Mono.error(ProviderProblems.notEnabled(connection.provider()));
                    }
                    return connections.tokens(id)
                            .switchIfEmpty(Mono.error(() -> notUsable(connection, "It holds no tokens.")))
                            .map(tokens -> vault.decrypt(tokens.accessToken(), userId, id.toString(), TokenKind.ACCESS_TOKEN))
                            .flatMap(accessToken -> adapter.listProfiles(connection.region(), accessToken))
                            .onErrorMap(ProviderException.class, ProviderProblems::of)
                            .flatMap(profiles -> transaction.transactional(connections.replaceProfiles(id, profiles)
                                    .then(auditLog.record(AuditEntry.of(userId, Actor.user(userId), "connection.profiles_synced", origin)
                                            .withChange(null, Map.of("connectionId", id.toString(), "profiles", profiles.size()))))
                                    .thenReturn(view(connection, profiles))));
                });
    }

    /**
     * Deletes the token material and marks the connection disconnected; then, where the provider
     * offers it (Google), revokes the grant there once the disconnect has committed
     * ({@link GrantRevocations}). Amazon and Microsoft offer no revocation of a single grant; users
     * remove the app's access in their account settings.
     */
    Mono<ConnectionView> disconnect(String userId, UUID id, RequestOrigin origin) {
        Mono<ConnectionView> work = connections.findForUserForUpdate(userId, id)
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .flatMap(before -> before.status() == ConnectionStatus.DISCONNECTED
                        ? connections.profilesOf(List.of(id)).map(p -> view(before, p.getOrDefault(id, List.of())))
                        : revocations.grantOf(before)
                                .flatMap(grant -> lifecycle.disconnected(before, Actor.user(userId), origin, null)
                                        .flatMap(after -> revocations.revokeAfterCommit(grant.stream().toList(), Actor.user(userId), origin)
                                                .thenReturn(after)))
                                .flatMap(after -> connections.profilesOf(List.of(id))
                                        .map(p -> view(after, p.getOrDefault(id, List.of())))));
        return transaction.transactional(work);
    }

    static ApiProblem notFound(UUID id) {
        return ApiProblem.notFound("There is no connection " + id + ".");
    }

    private static ApiProblem notUsable(Connection connection, String advice) {
        return new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.CONNECTION_NOT_USABLE, "Connection not usable",
                "The connection is " + connection.status() + ". " + advice, Map.of("connectionStatus", connection.status().name()));
    }
}
