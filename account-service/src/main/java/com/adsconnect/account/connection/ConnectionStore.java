package com.adsconnect.account.connection;

import com.adsconnect.account.provider.AdvertisingProfile;
import com.adsconnect.account.provider.Provider;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** SQL for connections, their profiles and their encrypted tokens. Callers own the transactions. */
@Repository
public class ConnectionStore {

    public static final String COLUMNS = """
            id, user_id, provider, region, account_key, status, access_token_expires_at, last_refreshed_at,
            last_error_code, last_error_at, created_at, updated_at, disconnected_at""";

    private final DatabaseClient db;

    ConnectionStore(DatabaseClient db) {
        this.db = db;
    }

    /** The user's connection; empty for another user's, exactly as for a missing one. */
    public Mono<Connection> findForUser(String userId, UUID id) {
        return db.sql("SELECT " + COLUMNS + " FROM connections WHERE id = :id AND user_id = :userId")
                .bind("id", id).bind("userId", userId)
                .map(ConnectionStore::toConnection).one();
    }

    Mono<Connection> findForUserForUpdate(String userId, UUID id) {
        return db.sql("SELECT " + COLUMNS + " FROM connections WHERE id = :id AND user_id = :userId FOR UPDATE")
                .bind("id", id).bind("userId", userId)
                .map(ConnectionStore::toConnection).one();
    }

    Flux<Connection> listForUser(String userId) {
        return db.sql("SELECT " + COLUMNS + " FROM connections WHERE user_id = :userId ORDER BY created_at, id")
                .bind("userId", userId)
                .map(ConnectionStore::toConnection).all();
    }

    Mono<Connection> findByAccountForUpdate(String userId, Provider provider, String region, String accountKey) {
        return db.sql("SELECT " + COLUMNS + """
                         FROM connections
                        WHERE user_id = :userId AND provider = :provider AND region = :region AND account_key = :accountKey
                        FOR UPDATE""")
                .bind("userId", userId).bind("provider", provider.name()).bind("region", region).bind("accountKey", accountKey)
                .map(ConnectionStore::toConnection).one();
    }

    Mono<Connection> insertActive(UUID id, String userId, Provider provider, String region, String accountKey,
            Instant accessTokenExpiresAt) {
        return db.sql("""
                        INSERT INTO connections (id, user_id, provider, region, account_key, status,
                            access_token_expires_at, last_refreshed_at)
                        VALUES (:id, :userId, :provider, :region, :accountKey, 'ACTIVE', :expiresAt, now())
                        RETURNING""" + " " + COLUMNS)
                .bind("id", id).bind("userId", userId).bind("provider", provider.name()).bind("region", region)
                .bind("accountKey", accountKey).bind("expiresAt", accessTokenExpiresAt.atOffset(ZoneOffset.UTC))
                .map(ConnectionStore::toConnection).one();
    }

    /** Fresh tokens from a (re)authorization: the connection is healthy again whatever it was. */
    Mono<Connection> markAuthorized(UUID id, Instant accessTokenExpiresAt) {
        return db.sql("""
                        UPDATE connections SET status = 'ACTIVE', access_token_expires_at = :expiresAt,
                            last_refreshed_at = now(), last_error_code = NULL, last_error_at = NULL,
                            disconnected_at = NULL, updated_at = now(), version = version + 1,
                            -- new tokens: a refresh still running for the old ones must not land
                            lease_generation = lease_generation + 1, lease_expires_at = NULL, lease_taken_at = NULL,
                            refresh_failures = 0, next_refresh_at = NULL
                        WHERE id = :id
                        RETURNING""" + " " + COLUMNS)
                .bind("id", id).bind("expiresAt", accessTokenExpiresAt.atOffset(ZoneOffset.UTC))
                .map(ConnectionStore::toConnection).one();
    }

    /**
     * Stores a connection's token pair. {@code generation} is the lease generation whose refresh
     * produced it; null for a connect or re-authorization, which take the connection's current one.
     */
    public Mono<Void> storeTokens(UUID connectionId, byte[] accessToken, byte[] refreshToken, int keyId, Long generation) {
        return db.sql("""
                        INSERT INTO connection_tokens (connection_id, access_token_ciphertext, refresh_token_ciphertext, key_id, generation)
                        VALUES (:id, :access, :refresh, :keyId,
                                coalesce(:generation, (SELECT lease_generation FROM connections WHERE id = :id)))
                        ON CONFLICT (connection_id) DO UPDATE SET access_token_ciphertext = EXCLUDED.access_token_ciphertext,
                            refresh_token_ciphertext = EXCLUDED.refresh_token_ciphertext, key_id = EXCLUDED.key_id,
                            generation = EXCLUDED.generation, updated_at = now()""")
                .bind("id", connectionId).bind("access", accessToken).bind("refresh", refreshToken).bind("keyId", (long) keyId)
                .bind("generation", Parameter.fromOrEmpty(generation, Long.class))
                .then();
    }

    /** A refresh's new tokens, encrypted. {@code refreshToken} is null when the provider did not rotate it. */
    public record RefreshedTokens(UUID connectionId, byte[] accessToken, byte[] refreshToken, long generation) {
    }

    /**
     * Stores refreshed tokens, many connections in one statement. A refresh token that did not
     * change keeps its ciphertext and its {@code key_id}: the access token is encrypted under the
     * primary key, which is never older than the refresh token's key, so {@code key_id} stays the
     * oldest key in the row and re-encryption still finds it.
     */
    public Mono<Void> storeRefreshedTokens(List<RefreshedTokens> refreshed, int primaryKeyId) {
        if (refreshed.isEmpty()) {
            return Mono.empty();
        }
        Base64.Encoder base64 = Base64.getEncoder();
        UUID[] ids = new UUID[refreshed.size()];
        String[] access = new String[refreshed.size()];
        String[] refresh = new String[refreshed.size()];
        Long[] generations = new Long[refreshed.size()];
        for (int i = 0; i < refreshed.size(); i++) {
            RefreshedTokens tokens = refreshed.get(i);
            ids[i] = tokens.connectionId();
            access[i] = base64.encodeToString(tokens.accessToken());
            // '' rather than a null element: no rotation
            refresh[i] = tokens.refreshToken() == null ? "" : base64.encodeToString(tokens.refreshToken());
            generations[i] = tokens.generation();
        }
        return db.sql("""
                        UPDATE connection_tokens t
                           SET access_token_ciphertext = decode(r.access, 'base64'),
                               refresh_token_ciphertext = CASE WHEN r.refresh = '' THEN t.refresh_token_ciphertext
                                                               ELSE decode(r.refresh, 'base64') END,
                               key_id = CASE WHEN r.refresh = '' THEN t.key_id ELSE :primary END,
                               generation = r.generation, updated_at = now()
                          FROM unnest(:ids::uuid[], :access::text[], :refresh::text[], :generations::bigint[])
                               AS r(id, access, refresh, generation)
                         WHERE t.connection_id = r.id""")
                .bind("ids", ids).bind("access", access).bind("refresh", refresh).bind("generations", generations)
                .bind("primary", (long) primaryKeyId)
                .then();
    }

    /** The lease generation the stored tokens came from; empty when the connection holds none. */
    public Mono<Long> tokensGeneration(UUID connectionId) {
        return db.sql("SELECT generation FROM connection_tokens WHERE connection_id = :id")
                .bind("id", connectionId)
                .map(row -> row.get("generation", Long.class))
                .one();
    }

    public Mono<EncryptedTokens> tokens(UUID connectionId) {
        return db.sql("SELECT access_token_ciphertext, refresh_token_ciphertext FROM connection_tokens WHERE connection_id = :id")
                .bind("id", connectionId)
                .map(row -> new EncryptedTokens(row.get("access_token_ciphertext", byte[].class),
                        row.get("refresh_token_ciphertext", byte[].class)))
                .one();
    }

    Mono<Void> replaceProfiles(UUID connectionId, List<AdvertisingProfile> profiles) {
        Mono<Void> delete = db.sql("DELETE FROM connection_profiles WHERE connection_id = :id").bind("id", connectionId).then();
        Flux<Long> inserts = Flux.fromIterable(profiles).concatMap(profile -> db.sql("""
                        INSERT INTO connection_profiles (connection_id, profile_id, country_code, currency_code, timezone,
                            marketplace_id, account_id, account_type, account_name)
                        VALUES (:id, :profileId, :country, :currency, :timezone, :marketplace, :accountId, :accountType, :accountName)
                        ON CONFLICT (connection_id, profile_id) DO NOTHING""")
                .bind("id", connectionId)
                .bind("profileId", profile.profileId())
                .bind("country", Parameter.fromOrEmpty(profile.countryCode(), String.class))
                .bind("currency", Parameter.fromOrEmpty(profile.currencyCode(), String.class))
                .bind("timezone", Parameter.fromOrEmpty(profile.timezone(), String.class))
                .bind("marketplace", Parameter.fromOrEmpty(profile.marketplaceId(), String.class))
                .bind("accountId", Parameter.fromOrEmpty(profile.accountId(), String.class))
                .bind("accountType", Parameter.fromOrEmpty(profile.accountType(), String.class))
                .bind("accountName", Parameter.fromOrEmpty(profile.accountName(), String.class))
                .fetch().rowsUpdated());
        return delete.thenMany(inserts).then();
    }

    Mono<Map<UUID, List<AdvertisingProfile>>> profilesOf(Collection<UUID> connectionIds) {
        if (connectionIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        SELECT connection_id, profile_id, country_code, currency_code, timezone, marketplace_id,
                            account_id, account_type, account_name
                        FROM connection_profiles WHERE connection_id = ANY(:ids) ORDER BY connection_id, profile_id""")
                .bind("ids", connectionIds.toArray(UUID[]::new))
                .map(row -> Map.entry(row.get("connection_id", UUID.class), toProfile(row)))
                .all()
                .collectMultimap(Map.Entry::getKey, Map.Entry::getValue)
                .map(multimap -> {
                    Map<UUID, List<AdvertisingProfile>> byConnection = new java.util.HashMap<>();
                    multimap.forEach((id, profiles) -> byConnection.put(id, List.copyOf(profiles)));
                    return byConnection;
                });
    }

    /** Deletes the token material and marks the connection disconnected; emits the updated row. */
    Mono<Connection> disconnect(UUID id) {
        return db.sql("DELETE FROM connection_tokens WHERE connection_id = :id").bind("id", id).then()
                .then(db.sql("""
                                UPDATE connections SET status = 'DISCONNECTED', disconnected_at = now(),
                                    access_token_expires_at = NULL, updated_at = now(), version = version + 1,
                                    lease_generation = lease_generation + 1, lease_expires_at = NULL, lease_taken_at = NULL
                                WHERE id = :id
                                RETURNING""" + " " + COLUMNS)
                        .bind("id", id)
                        .map(ConnectionStore::toConnection).one());
    }

    /** How many of the user's connections are in each status (every status present, zero or not). */
    public Mono<Map<ConnectionStatus, Long>> countByStatus(String userId) {
        return db.sql("SELECT status, count(*) AS n FROM connections WHERE user_id = :userId GROUP BY status")
                .bind("userId", userId)
                .map(row -> Map.entry(ConnectionStatus.valueOf(row.get("status", String.class)), row.get("n", Long.class)))
                .all()
                .collectList()
                .map(entries -> {
                    Map<ConnectionStatus, Long> counts = new EnumMap<>(ConnectionStatus.class);
                    for (ConnectionStatus status : ConnectionStatus.values()) {
                        counts.put(status, 0L);
                    }
                    entries.forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
                    return counts;
                });
    }

    public record EncryptedTokens(byte[] accessToken, byte[] refreshToken) {
    }

    private static AdvertisingProfile toProfile(Readable row) {
        return new AdvertisingProfile(row.get("profile_id", String.class), row.get("country_code", String.class),
                row.get("currency_code", String.class), row.get("timezone", String.class),
                row.get("marketplace_id", String.class), row.get("account_id", String.class),
                row.get("account_type", String.class), row.get("account_name", String.class));
    }

    public static Connection toConnection(Readable row) {
        return new Connection(
                row.get("id", UUID.class),
                row.get("user_id", String.class),
                Provider.valueOf(row.get("provider", String.class)),
                row.get("region", String.class),
                row.get("account_key", String.class),
                ConnectionStatus.valueOf(row.get("status", String.class)),
                instant(row.get("access_token_expires_at", OffsetDateTime.class)),
                instant(row.get("last_refreshed_at", OffsetDateTime.class)),
                row.get("last_error_code", String.class),
                instant(row.get("last_error_at", OffsetDateTime.class)),
                instant(row.get("created_at", OffsetDateTime.class)),
                instant(row.get("updated_at", OffsetDateTime.class)),
                instant(row.get("disconnected_at", OffsetDateTime.class)));
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
