package com.adsconnect.account.connection;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.notification.ConnectionAlert;
import com.adsconnect.account.notification.NotificationProperties;
import com.adsconnect.account.notification.NotificationType;
import com.adsconnect.account.notification.Notifications;
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
 * Each writes the new state, its audit entry, its {@code connection-status} event, its history
 * entry and the notification it calls for together, in the caller's transaction (the caller holds the connection's row lock where a race is possible),
 * and encrypts the tokens it stores. No other class writes a connection's status.
 */
@Component
public class ConnectionLifecycle {

    private static final Actor REFRESHER = Actor.system("token-refresher");

    private final ConnectionStore store;
    private final ConnectionEvents events;
    private final AuditLog auditLog;
    private final TokenVault vault;
    private final ConnectionHistory history;
    private final Notifications notifications;
    private final NotificationProperties notificationProperties;

    ConnectionLifecycle(ConnectionStore store, ConnectionEvents events, AuditLog auditLog, TokenVault vault,
            ConnectionHistory history, Notifications notifications, NotificationProperties notificationProperties) {
        this.store = store;
        this.events = events;
        this.auditLog = auditLog;
        this.vault = vault;
        this.history = history;
        this.notifications = notifications;
        this.notificationProperties = notificationProperties;
    }

    /**
     * A refresh's outcome for one connection: the new access token, the refresh token if the provider
     * rotated it, and the refresh token's remaining lifetime if the provider gave one.
     */
    public record Refreshed(UUID connectionId, String owner, long generation, String accessToken, long expiresInSeconds,
            String rotatedRefreshToken, Long refreshTokenExpiresInSeconds) {
        @Override
        public String toString() {
            return "Refreshed[connectionId=" + connectionId + ", generation=" + generation + "]";
        }
    }

    /** A new connection from a first authorization: ACTIVE, its tokens and profiles, audit, and a CONNECTED event. */
    Mono<Connection> connected(String userId, Provider provider, String region, String accountKey, Instant accessTokenExpiresAt,
            ProviderTokens tokens, List<AdvertisingProfile> profiles, RequestOrigin origin) {
        return store.insertActive(UUID.randomUUID(), userId, provider, region, accountKey, accessTokenExpiresAt, tokens.grantedScopes(),
                        refreshTokenExpiry(tokens))
                .flatMap(created -> authorized(null, created, tokens, profiles, "connection.connected", origin)
                        .then(history.record(created, ConnectionHistory.Kind.CONNECTED, null, Actor.user(userId)))
                        .thenReturn(created));
    }

    /**
     * Fresh tokens for an existing connection (re-authorized, or the same account connected again;
     * the caller holds its row lock): ACTIVE whatever it was, a refresh still running for the old
     * tokens called off, tokens, profiles, audit, and a REAUTHORIZED event if it was not ACTIVE.
     */
    Mono<Connection> reauthorized(Connection before, Instant accessTokenExpiresAt, ProviderTokens tokens,
            List<AdvertisingProfile> profiles, String action, RequestOrigin origin) {
        return store.markAuthorized(before.id(), accessTokenExpiresAt, tokens.grantedScopes(), refreshTokenExpiry(tokens))
                .flatMap(after -> authorized(before, after, tokens, profiles, action, origin)
                        .then(history.record(after, ConnectionHistory.Kind.REAUTHORIZED, null, Actor.user(after.userId())))
                        .thenReturn(after));
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
     * ({@code cause}, e.g. the user's deletion; null for the user's own request). The system's
     * disconnections are announced to the user.
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
                            .then(history.record(after, ConnectionHistory.Kind.DISCONNECTED, cause, actor))
                            .then(cause == null ? Mono.empty()
                                    : notifications.announce(alert(NotificationType.DISCONNECTED, after, cause,
                                            "disconnected:" + after.id() + ":" + after.disconnectedAt().toEpochMilli())))
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
        UUID[] ids = refreshed.stream().map(Refreshed::connectionId).toArray(UUID[]::new);
        return store.storeRefreshedTokens(refreshed.stream().map(this::encrypted).toList(), vault.primaryKeyId())
                .then(store.markRefreshed(ids, refreshed.stream().map(Refreshed::expiresInSeconds).toArray(Long[]::new),
                        refreshed.stream().map(Refreshed::refreshTokenExpiresInSeconds).toArray(Long[]::new)))
                .then(history.recordRefreshed(ids, refreshed.stream().map(Refreshed::owner).toArray(String[]::new), REFRESHER));
    }

    /** A refresh of one connection succeeded, whatever its status was: ACTIVE, and RECOVERED if it was not. */
    public Mono<Connection> refreshed(Connection before, Refreshed refreshed, Actor actor) {
        Instant expiresAt = Instant.now().plusSeconds(refreshed.expiresInSeconds());
        return store.storeRefreshedTokens(List.of(encrypted(refreshed)), vault.primaryKeyId())
                .then(store.updateRefreshOutcome(before.id(), ConnectionStatus.ACTIVE, expiresAt, null, 0, null,
                        refreshed.refreshTokenExpiresInSeconds()))
                .flatMap(after -> before.status() == ConnectionStatus.ACTIVE
                        ? history.recordRefreshed(new UUID[] {after.id()}, new String[] {after.userId()}, actor).thenReturn(after)
                        : events.statusChanged(after, before.status(), ConnectionEvents.Reason.RECOVERED, null)
                                .then(auditLog.record(AuditEntry.of(before.userId(), actor, "connection.recovered", RequestOrigin.NONE)
                                        .withChange(Map.of("status", before.status().name()), Map.of("status", "ACTIVE"))))
                                .then(history.record(after, ConnectionHistory.Kind.RECOVERED, null, actor))
                                .then(announceRecovery(before, after))
                                .thenReturn(after));
    }

    /** A refresh failed for now: REFRESH_FAILING until {@code nextAttemptAt}; an event and audit entry when it was healthy. */
    public Mono<Connection> refreshFailing(Connection before, String errorCode, int failures, Instant nextAttemptAt, Actor actor) {
        return store.updateRefreshOutcome(before.id(), ConnectionStatus.REFRESH_FAILING, null, errorCode, failures, nextAttemptAt, null)
                .flatMap(after -> (before.status() == ConnectionStatus.REFRESH_FAILING ? Mono.<Void>empty()
                        : events.statusChanged(after, before.status(), ConnectionEvents.Reason.REFRESH_FAILING, errorCode)
                                .then(auditLog.record(AuditEntry.of(before.userId(), actor, "connection.refresh_failing",
                                        RequestOrigin.NONE).withChange(Map.of("status", before.status().name()),
                                        Map.of("status", "REFRESH_FAILING", "errorCode", errorCode)))))
                        .then(history.record(after, ConnectionHistory.Kind.REFRESH_FAILED, errorCode, actor))
                        .then(failingLongEnough(after) ? notifications.announce(alert(NotificationType.REFRESH_FAILING, after,
                                errorCode, failingSpellKey(after))) : Mono.empty())
                        .thenReturn(after));
    }

    /** The provider refused the refresh token for good: REAUTH_REQUIRED until the user authorizes again. */
    public Mono<Connection> reauthRequired(Connection before, String errorCode, int failures, Actor actor) {
        return store.updateRefreshOutcome(before.id(), ConnectionStatus.REAUTH_REQUIRED, null, errorCode, failures, null, null)
                .flatMap(after -> events.statusChanged(after, before.status(), ConnectionEvents.Reason.REAUTH_REQUIRED, errorCode)
                        .then(auditLog.record(AuditEntry.of(before.userId(), actor, "connection.reauth_required", RequestOrigin.NONE)
                                .withChange(Map.of("status", before.status().name()),
                                        Map.of("status", "REAUTH_REQUIRED", "errorCode", errorCode))))
                        .then(history.record(after, ConnectionHistory.Kind.REAUTH_REQUIRED, errorCode, actor))
                        .then(before.status() == ConnectionStatus.REAUTH_REQUIRED ? Mono.empty()
                                : notifications.announce(alert(NotificationType.REAUTH_REQUIRED, after, errorCode,
                                        "reauth_required:" + after.id() + ":" + after.lastErrorAt().toEpochMilli())))
                        .thenReturn(after));
    }

    private static Instant refreshTokenExpiry(ProviderTokens tokens) {
        return tokens.refreshTokenExpiresIn() == null ? null : Instant.now().plus(tokens.refreshTokenExpiresIn());
    }

    /** A failing spell is announced once it has lasted {@code notifications.failing-alert-after}, not on its first failure. */
    private boolean failingLongEnough(Connection after) {
        return after.failingSince() != null
                && !after.failingSince().plus(notificationProperties.failingAlertAfter()).isAfter(Instant.now());
    }

    /** One failing spell of one connection: announced once, however many failures it has. */
    private static String failingSpellKey(Connection connection) {
        return "refresh_failing:" + connection.id() + ":" + connection.failingSince().toEpochMilli();
    }

    /** The end of a failing spell is announced when its start was (a spell too short to announce ends quietly too). */
    private Mono<Void> announceRecovery(Connection before, Connection after) {
        if (before.status() != ConnectionStatus.REFRESH_FAILING || before.failingSince() == null) {
            return Mono.empty();
        }
        String spell = failingSpellKey(before);
        return notifications.announced(after.userId(), spell)
                .flatMap(announced -> announced
                        ? notifications.announce(alert(NotificationType.RECOVERED, after, null, "recovered:" + spell))
                        : Mono.empty());
    }

    /**
     * The connection's refresh token ends soon (the provider granted access until a date): its owner
     * is told once per end date, in the caller's transaction. Not a transition: the status stays.
     */
    public Mono<Void> refreshTokenExpiring(Connection connection) {
        return notifications.announce(new ConnectionAlert(NotificationType.REFRESH_TOKEN_EXPIRING, connection.userId(), connection.id(),
                connection.provider().displayName(), connection.label(), null, connection.refreshTokenExpiresAt(),
                REFRESH_TOKEN_EXPIRING_KEY + connection.id() + ":"
                        + java.time.LocalDate.ofInstant(connection.refreshTokenExpiresAt(), java.time.ZoneOffset.UTC)));
    }

    /**
     * How a grant's end is named in its notification's dedup key: this prefix, the connection id, ':'
     * and the end's UTC date (ISO); {@link RefreshTokenExpiryWarnings} looks for exactly that.
     */
    static final String REFRESH_TOKEN_EXPIRING_KEY = "refresh_token_expiring:";

    private static ConnectionAlert alert(NotificationType type, Connection connection, String errorCode, String dedupKey) {
        return new ConnectionAlert(type, connection.userId(), connection.id(), connection.provider().displayName(),
                connection.label(), errorCode, null, dedupKey);
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
