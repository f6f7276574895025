package com.adsconnect.account.internal;

import com.adsconnect.account.connection.CachedTokenReads;
import com.adsconnect.account.connection.Connection;
import com.adsconnect.account.connection.ConnectionStatus;
import com.adsconnect.account.connection.ConnectionStore;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.problem.ProblemTypes;
import com.adsconnect.account.provider.ProviderAdapter;
import com.adsconnect.account.provider.ProviderRegistry;
import com.adsconnect.account.refresh.RefreshCoordinator;
import com.adsconnect.account.refresh.RefreshCoordinator.UrgentClaim;
import com.adsconnect.account.refresh.RefreshProperties;
import com.adsconnect.account.refresh.TokenRefreshSignals;
import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Hands internal services a usable access token, never an expired one: a token with less than
 * {@code token-vault.min-remaining} left triggers an urgent refresh, and the request waits for it
 * up to {@code token-vault.urgent-wait} before answering 503 with {@code Retry-After}.
 */
@Service
class TokenService {

    private static final Duration RECHECK = Duration.ofMillis(250);

    private final ConnectionStore connections;
    private final CachedTokenReads cachedReads;
    private final TokenVault vault;
    private final ProviderRegistry providers;
    private final RefreshCoordinator coordinator;
    private final TokenRefreshSignals signals;
    private final RefreshProperties properties;

    TokenService(ConnectionStore connections, CachedTokenReads cachedReads, TokenVault vault, ProviderRegistry providers,
            RefreshCoordinator coordinator, TokenRefreshSignals signals, RefreshProperties properties) {
        this.connections = connections;
        this.cachedReads = cachedReads;
        this.vault = vault;
        this.providers = providers;
        this.coordinator = coordinator;
        this.signals = signals;
        this.properties = properties;
    }

    /**
     * @param callContext what the caller sends with the token to call the provider's API for the
     *                    profile: header name to value (Google's {@code login-customer-id},
     *                    Microsoft's {@code CustomerId} and {@code CustomerAccountId}); for the
     *                    connection's only profile when none was named, empty when it has several
     */
    record TokenResponse(String accessToken, String tokenType, Instant expiresAt, UUID connectionId, String provider, String region,
            String apiBaseUrl, String clientId, @Nullable String profileId, Map<String, String> callContext) {
        @Override
        public String toString() {
            return "TokenResponse[connectionId=" + connectionId + ", expiresAt=" + expiresAt + "]";
        }
    }

    Mono<TokenResponse> currentToken(String userId, UUID connectionId, String profileId) {
        // with a connection named: the connection and its encrypted token in one statement (and its profiles
        // when needed), or from memory when read recently and not changed since
        Mono<ConnectionStore.WithAccessToken> connection = connectionId == null
                ? connections.findByProfile(userId, profileId).map(TokenService::tokenNotRead)
                : profileId == null ? cachedReads.findForUser(userId, connectionId)
                // both: the profile must be one of the connection's
                : cachedReads.findForUser(userId, connectionId)
                        .filterWhen(found -> cachedReads.profilesOf(found.connection().id())
                                .map(profiles -> profiles.stream().anyMatch(profile -> profileId.equals(profile.profileId()))));
        return connection
                .switchIfEmpty(Mono.error(() -> ApiProblem.notFound("No connection of this user matches.")))
                // a token too close to its end is refreshed first, and then read again
                .flatMap(found -> usable(found.connection()) ? respond(found.connection(), profileId, found.accessTokenCiphertext())
                        : refreshAndWait(found.connection()).flatMap(fresh -> respond(fresh, profileId, null)));
    }

    private static ConnectionStore.WithAccessToken tokenNotRead(Connection connection) {
        return new ConnectionStore.WithAccessToken(connection, null);
    }

    private boolean usable(Connection connection) {
        requireRefreshable(connection);
        return connection.accessTokenExpiresAt() != null
                && connection.accessTokenExpiresAt().isAfter(Instant.now().plus(properties.minRemaining()));
    }

    private Mono<Connection> refreshAndWait(Connection stale) {
        UUID id = stale.id();
        Flux<Object> wakeups = Flux.merge(signals.refreshed().filter(id::equals), Flux.interval(RECHECK));
        return coordinator.claimUrgent(id)
                .flatMap(claim -> claim.result() == UrgentClaim.Result.BACKING_OFF
                        ? Mono.error(backingOff(id, claim.retryAt()))
                        : Mono.just(claim))
                .thenMany(wakeups)
                .concatMap(wakeup -> connections.findForUser(stale.userId(), id))
                .filter(this::usable)
                .next()
                .timeout(properties.urgentWait())
                .onErrorMap(TimeoutException.class, timeout -> tokenNotReady("The access token is being refreshed.",
                        Map.of("connectionId", id.toString()), 5));
    }

    /** Refreshing this connection keeps failing; the next attempt is due at {@code retryAt}, not sooner. */
    private static ApiProblem backingOff(UUID id, Instant retryAt) {
        long seconds = Math.max(1, (long) Math.ceil(Duration.between(Instant.now(), retryAt).toMillis() / 1000.0));
        return tokenNotReady("Refreshing this connection's token is failing; the next attempt is due in " + seconds + " s.",
                Map.of("connectionId", id.toString(), "connectionStatus", ConnectionStatus.REFRESH_FAILING.name()), seconds);
    }

    /** 503 {@code token-not-ready}, with the {@code Retry-After} the caller should wait. */
    private static ApiProblem tokenNotReady(String why, Map<String, Object> extensions, long retryAfterSeconds) {
        return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.TOKEN_NOT_READY, "Token not ready",
                why + " Retry after the indicated delay.", extensions, Map.of(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds)));
    }

    private static void requireRefreshable(Connection connection) {
        if (connection.status() == ConnectionStatus.REAUTH_REQUIRED || connection.status() == ConnectionStatus.DISCONNECTED) {
            throw new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.CONNECTION_NOT_USABLE, "Connection not usable",
                    "The connection is " + connection.status() + "; the user has to reconnect it.",
                    Map.of("connectionStatus", connection.status().name(), "connectionId", connection.id().toString()));
        }
    }

    /** {@code accessTokenCiphertext}: the stored token when the caller read it with the connection, else null (read here). */
    private Mono<TokenResponse> respond(Connection connection, String profileId, byte[] accessTokenCiphertext) {
        ProviderAdapter adapter = providers.get(connection.provider());
        Set<String> missing = adapter.missingScopes(connection.grantedScopes());
        if (!missing.isEmpty()) {
            return Mono.error(new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.CONNECTION_MISSING_SCOPES, "Connection lacks scopes",
                    "The user did not grant every scope this connection needs; they have to reconnect it and grant them.",
                    Map.of("connectionId", connection.id().toString(), "missingScopes", List.copyOf(missing))));
        }
        Mono<byte[]> ciphertext = accessTokenCiphertext != null ? Mono.just(accessTokenCiphertext)
                : connections.tokens(connection.id()).map(ConnectionStore.EncryptedTokens::accessToken);
        return ciphertext
                .switchIfEmpty(Mono.error(() -> new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.CONNECTION_NOT_USABLE,
                        "Connection not usable", "The connection holds no tokens.", Map.of("connectionStatus", connection.status().name()))))
                .zipWith(callContext(adapter, connection, profileId))
                .map(found -> new TokenResponse(
                        vault.decrypt(found.getT1(), connection.userId(), connection.id().toString(), TokenKind.ACCESS_TOKEN),
                        "bearer", connection.accessTokenExpiresAt(), connection.id(), connection.provider().name(), connection.region(),
                        adapter.apiBaseUrl(connection.region()).toString(), adapter.clientId(), profileId, found.getT2()));
    }

    /** The named profile's call context, or the only profile's when none was named. */
    private Mono<Map<String, String>> callContext(ProviderAdapter adapter, Connection connection, String profileId) {
        if (!adapter.hasCallContext()) {
            return Mono.just(Map.of());
        }
        return cachedReads.profilesOf(connection.id())
                .map(profiles -> profiles.stream()
                        .filter(profile -> profileId == null ? profiles.size() == 1 : profileId.equals(profile.profileId()))
                        .findFirst()
                        .map(adapter::callContext)
                        .orElse(Map.of()));
    }
}
