package com.adsconnect.account.connection;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.provider.AdvertisingProfile;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.provider.ProviderTokens;
import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Every transition of a connection's status goes through here: authorized (connected,
 * re-authorized), refreshed, refresh failing, recovered, re-authorization required, disconnected.
 * Each writes the new state, its audit entry and its {@code connection-status} event together, in
 * the caller's transaction (the caller holds the connection's row lock where a race is possible),
 * and encrypts the tokens it stores. No other class writes a connection's status.
 */
@Component
public class ConnectionLifecycle {

    private final ConnectionStore store;
    private final ConnectionEvents events;
    private final AuditLog auditLog;
    private final TokenVault vault;

    ConnectionLifecycle(ConnectionStore store, ConnectionEvents events, AuditLog auditLog, TokenVault vault) {
        this.store = store;
        this.events = events;
        this.auditLog = auditLog;
        this.vault = vault;
    }

    /** A refresh's outcome for one connection: the new access token, and the refresh token if the provider rotated it. */
    public record Refreshed(UUID connectionId, String owner, long generation, String accessToken, long expiresInSeconds,
            String rotatedRefreshToken) {
        @Override
        public String toString() {
            return "Refreshed[connectionId=" + connectionId + ", generation=" + generation + "]";
        }
    }

    /** A new connection from a first authorization: ACTIVE, its tokens and profiles, audit, and a CONNECTED event. */
    Mono<Connection> connected(String userId, Provider provider, String region, String accountKey, Instant accessTokenExpiresAt,
            ProviderTokens tokens, List<AdvertisingProfile> profiles, RequestOrigin origin) {
        return store.insertActive(UUID.randomUUID(), userId, provider, region, accountKey, accessTokenExpiresAt, tokens.grantedScopes())
                .flatMap(created -> authorized(null, created, tokens, profiles, "connection.connected", origin).thenReturn(created));
    }

    /**
     * Fresh tokens for an existing connection (re-authorized, or the same account connected again;
     * the caller holds its row lock): ACTIVE whatever it was, a refresh still running for the old
     * tokens called off, tokens, profiles, audit, and a REAUTHORIZED event if it was not ACTIVE.
     */
    Mono<Connection> reauthorized(Connection before, Instant accessTokenExpiresAt, ProviderTokens tokens,
            List<AdvertisingProfile> profiles, String action, RequestOrigin origin) {
        return store.markAuthorized(before.id(), accessTokenExpiresAt, tokens.grantedScopes())
                .flatMap(after -> authorized(before, after, tokens, profiles, action, origin).thenReturn(after));
    }

    private Mono<Void> authorized(Connection before, Connection after, ProviderTokens tokens, List<AdvertisingProfile> profiles,
            String action, RequestOrigin origin) {
        String owner = after.userId();
        String row = after.id().toString();
        byte[] access = vault.encrypt(tokens.accessToken(), owner, row, TokenKind.ACCESS_TOKEN);
        byte[] refresh = vault.encrypt(tokens.refreshToken(), owner, row, TokenKind.REFRESH_TOKEN);
        Mono<Void> event = before == null
                ? events.statusChanged(after, null, ConnectionEvents.Reason.CONNECTED, null)
                : before.status() != ConnectionStatus.ACTIVE
                        ? events.statusChanged(after, before.status(), ConnectionEvents.Reason.REAUTHORIZED, null)
                        : Mono.empty();
        return store.storeTokens(after.id(), access, refresh, vault.primaryKeyId(), null)
                .then(store.replaceProfiles(after.id(), profiles))
                .then(auditLog.record(AuditEntry.of(owner, Actor.user(owner), action, origin)
                        .withChange(before == null ? null : summary(before, null), summary(after, profiles.size()))))
                .then(event);
    }

    /**
     * Deletes the token material and marks the connection DISCONNECTED, by the user or by the system
     * ({@code cause}, e.g. the user's deletion; null for the user's own request).
     */
    public Mono<Connection> disconnected(Connection before, Actor actor, RequestOrigin origin, String cause) {
        return store.disconnect(before.id())
                .flatMap(after -> {
                    Map<String, Object> change = summary(after, null);
                    if (cause != null) {
                        change.put("cause", cause);
                    }
                    return auditLog.record(AuditEntry.of(before.userId(), actor, "connection.disconnected", origin)
                                    .withChange(summary(before, null), change))
                            .then(events.statusChanged(after, before.status(), ConnectionEvents.Reason.DISCONNECTED, null))
                            .thenReturn(after);
                });
    }

    /**
     * Refreshes of healthy connections (ACTIVE, the caller holds their row locks): new tokens and
     * expiry for all of them in two statements; the status stays, so no audit entry or event.
     */
    public Mono<Void> refreshedAll(List<Refreshed> refreshed) {
        if (refreshed.isEmpty()) {
            return Mono.empty();
        }
        return store.storeRefreshedTokens(refreshed.stream().map(this::encrypted).toList(), vault.primaryKeyId())
                .then(store.markRefreshed(refreshed.stream().map(Refreshed::connectionId).toArray(UUID[]::new),
                        refreshed.stream().map(Refreshed::expiresInSeconds).toArray(Long[]::new)));
    }

    /** A refresh of one connection succeeded, whatever its status was: ACTIVE, and RECOVERED if it was not. */
    public Mono<Connection> refreshed(Connection before, Refreshed refreshed, Actor actor) {
        Instant expiresAt = Instant.now().plusSeconds(refreshed.expiresInSeconds());
        return store.storeRefreshedTokens(List.of(encrypted(refreshed)), vault.primaryKeyId())
                .then(store.updateRefreshOutcome(before.id(), ConnectionStatus.ACTIVE, expiresAt, null, 0, null))
                .flatMap(after -> before.status() == ConnectionStatus.ACTIVE ? Mono.just(after)
                        : events.statusChanged(after, before.status(), ConnectionEvents.Reason.RECOVERED, null)
                                .then(auditLog.record(AuditEntry.of(before.userId(), actor, "connection.recovered", RequestOrigin.NONE)
                                        .withChange(Map.of("status", before.status().name()), Map.of("status", "ACTIVE"))))
                                .thenReturn(after));
    }

    /** A refresh failed for now: REFRESH_FAILING until {@code nextAttemptAt}; an event and audit entry when it was healthy. */
    public Mono<Connection> refreshFailing(Connection before, String errorCode, int failures, Instant nextAttemptAt, Actor actor) {
        return store.updateRefreshOutcome(before.id(), ConnectionStatus.REFRESH_FAILING, null, errorCode, failures, nextAttemptAt)
                .flatMap(after -> before.status() == ConnectionStatus.REFRESH_FAILING ? Mono.just(after)
                        : events.statusChanged(after, before.status(), ConnectionEvents.Reason.REFRESH_FAILING, errorCode)
                                .then(auditLog.record(AuditEntry.of(before.userId(), actor, "connection.refresh_failing",
                                        RequestOrigin.NONE).withChange(Map.of("status", before.status().name()),
                                        Map.of("status", "REFRESH_FAILING", "errorCode", errorCode))))
                                .thenReturn(after));
    }

    /** The provider refused the refresh token for good: REAUTH_REQUIRED until the user authorizes again. */
    public Mono<Connection> reauthRequired(Connection before, String errorCode, int failures, Actor actor) {
        return store.updateRefreshOutcome(before.id(), ConnectionStatus.REAUTH_REQUIRED, null, errorCode, failures, null)
                .flatMap(after -> events.statusChanged(after, before.status(), ConnectionEvents.Reason.REAUTH_REQUIRED, errorCode)
                        .then(auditLog.record(AuditEntry.of(before.userId(), actor, "connection.reauth_required", RequestOrigin.NONE)
                                .withChange(Map.of("status", before.status().name()),
                                        Map.of("status", "REAUTH_REQUIRED", "errorCode", errorCode))))
                        .thenReturn(after));
    }

    private ConnectionStore.RefreshedTokens encrypted(Refreshed refreshed) {
        String row = refreshed.connectionId().toString();
        return new ConnectionStore.RefreshedTokens(refreshed.connectionId(),
                vault.encrypt(refreshed.accessToken(), refreshed.owner(), row, TokenKind.ACCESS_TOKEN),
                refreshed.rotatedRefreshToken() == null ? null
                        : vault.encrypt(refreshed.rotatedRefreshToken(), refreshed.owner(), row, TokenKind.REFRESH_TOKEN),
                refreshed.generation());
    }

    static Map<String, Object> summary(Connection connection, Integer profiles) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("connectionId", connection.id().toString());
        summary.put("provider", connection.provider().name());
        summary.put("region", connection.region());
        summary.put("status", connection.status().name());
        if (profiles != null) {
            summary.put("profiles", profiles);
        }
        return summary;
    }
}
