package com.adsconnect.account.connection;

import com.adsconnect.account.provider.AdvertisingProfile;
import com.adsconnect.account.provider.Provider;
import io.r2dbc.postgresql.codec.Interval;
import io.r2dbc.spi.Readable;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * All SQL on connections, their profiles and their encrypted tokens: no other class reads or
 * writes these tables. Status changes are written only through {@link ConnectionLifecycle};
 * callers own the transactions.
 */
@Repository
public class ConnectionStore {

    public static final String COLUMNS = """
            id, user_id, provider, region, account_key, status, access_token_expires_at, last_refreshed_at,
            last_error_code, last_error_at, created_at, updated_at, disconnected_at, label, granted_scopes, failing_since,
            refresh_token_expires_at""";

    static final String PREFIXED_COLUMNS = String.join(", ", java.util.Arrays.stream(COLUMNS.split(","))
            .map(column -> "c." + column.strip()).toList());

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

    /** A connection with its encrypted access token (null when it holds no tokens). */
    public record WithAccessToken(Connection connection, byte[] accessTokenCiphertext) {
    }

    /**
     * The user's connection and its encrypted access token in one statement: what the internal
     * token API needs for a usable token, in one round trip instead of two.
     */
    public Mono<WithAccessToken> findForUserWithAccessToken(String userId, UUID id) {
        return db.sql("SELECT " + COLUMNS + """
                        , (SELECT t.access_token_ciphertext FROM connection_tokens t WHERE t.connection_id = connections.id)
                            AS access_token_ciphertext
                          FROM connections WHERE id = :id AND user_id = :userId""")
                .bind("id", id).bind("userId", userId)
                .map(row -> new WithAccessToken(toConnection(row), row.get("access_token_ciphertext", byte[].class)))
                .one();
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
            Instant accessTokenExpiresAt, java.util.Set<String> grantedScopes, Instant refreshTokenExpiresAt) {
        return db.sql("""
                        INSERT INTO connections (id, user_id, provider, region, account_key, status,
                            access_token_expires_at, last_refreshed_at, granted_scopes, refresh_token_expires_at)
                        VALUES (:id, :userId, :provider, :region, :accountKey, 'ACTIVE', :expiresAt, now(), :scopes, :refreshExpiresAt)
                        RETURNING""" + " " + COLUMNS)
                .bind("id", id).bind("userId", userId).bind("provider", provider.name()).bind("region", region)
                .bind("accountKey", accountKey).bind("expiresAt", accessTokenExpiresAt.atOffset(ZoneOffset.UTC))
                .bind("scopes", Parameter.fromOrEmpty(scopes(grantedScopes), String.class))
                .bind("refreshExpiresAt", Parameter.fromOrEmpty(offset(refreshTokenExpiresAt), OffsetDateTime.class))
                .map(ConnectionStore::toConnection).one();
    }

    /** Fresh tokens from a (re)authorization: the connection is healthy again whatever it was. */
    Mono<Connection> markAuthorized(UUID id, Instant accessTokenExpiresAt, java.util.Set<String> grantedScopes,
            Instant refreshTokenExpiresAt) {
        return db.sql("""
                        UPDATE connections SET status = 'ACTIVE', access_token_expires_at = :expiresAt, granted_scopes = :scopes,
                            last_refreshed_at = now(), last_error_code = NULL, last_error_at = NULL,
                            disconnected_at = NULL, updated_at = now(), version = version + 1,
                            -- new tokens: a refresh still running for the old ones must not land
                            lease_generation = lease_generation + 1, lease_expires_at = NULL, lease_taken_at = NULL,
                            refresh_failures = 0, next_refresh_at = NULL, failing_since = NULL,
                            refresh_token_expires_at = :refreshExpiresAt
                        WHERE id = :id
                        RETURNING""" + " " + COLUMNS)
                .bind("id", id).bind("expiresAt", accessTokenExpiresAt.atOffset(ZoneOffset.UTC))
                .bind("scopes", Parameter.fromOrEmpty(scopes(grantedScopes), String.class))
                .bind("refreshExpiresAt", Parameter.fromOrEmpty(offset(refreshTokenExpiresAt), OffsetDateTime.class))
                .map(ConnectionStore::toConnection).one();
    }

    /** Names (or, with null, unnames) the user's connection; empty when it is not theirs. */
    Mono<Connection> relabel(String userId, UUID id, String label) {
        return db.sql("UPDATE connections SET label = :label, updated_at = now(), version = version + 1 "
                        + "WHERE id = :id AND user_id = :userId RETURNING " + COLUMNS)
                .bind("id", id).bind("userId", userId).bind("label", Parameter.fromOrEmpty(label, String.class))
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
    record RefreshedTokens(UUID connectionId, byte[] accessToken, byte[] refreshToken, long generation) {
    }

    /**
     * Stores refreshed tokens, many connections in one statement. A refresh token that did not
     * change keeps its ciphertext and its {@code key_id}: the access token is encrypted under the
     * primary key, which is never older than the refresh token's key, so {@code key_id} stays the
     * oldest key in the row and re-encryption still finds it.
     */
    Mono<Void> storeRefreshedTokens(List<RefreshedTokens> refreshed, int primaryKeyId) {
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

    // --- the refresh lease protocol (RefreshCoordinator) and refresh outcomes (ConnectionLifecycle) ---

    private static final String REFRESHABLE = "status IN ('ACTIVE', 'REFRESH_FAILING')";
    private static final String CLAIMABLE = REFRESHABLE + """
             AND (lease_expires_at IS NULL OR lease_expires_at < now())
             AND (next_refresh_at IS NULL OR next_refresh_at <= now())""";
    private static final String NEW_GENERATION =
            "lease_generation = lease_generation + 1, lease_expires_at = now() + :lease, lease_taken_at = NULL";

    /** Claims made and not yet reported (their lease has not run out). */
    public Mono<Long> claimsInFlight() {
        return db.sql("SELECT count(*) AS in_flight FROM connections WHERE lease_expires_at > now()")
                .map(row -> row.get("in_flight", Long.class))
                .one();
    }

    /** A connection claimed for refresh, and whether only the keep-alive period made it due. */
    public record DueClaim(UUID connectionId, boolean keepAlive) {
    }

    /**
     * Up to {@code limit} due connections (token expiring within {@code window}, or not refreshed
     * for {@code keepAlive}), the soonest expiry first, skipping rows another transaction holds:
     * each gets a new lease generation, leased for {@code lease}.
     */
    public Mono<List<DueClaim>> claimDue(int limit, Duration window, Duration keepAlive, Duration lease) {
        return db.sql("""
                        WITH due AS (
                            SELECT id FROM connections
                            WHERE""" + " " + CLAIMABLE + """
                              AND (access_token_expires_at < now() + :window OR last_refreshed_at < now() - :keepAlive)
                            ORDER BY access_token_expires_at
                            LIMIT :limit
                            FOR UPDATE SKIP LOCKED)
                        UPDATE connections c
                           SET lease_generation = c.lease_generation + 1, lease_expires_at = now() + :lease, lease_taken_at = NULL
                          FROM due WHERE c.id = due.id
                        RETURNING c.id, (c.access_token_expires_at >= now() + :window) AS keep_alive""")
                .bind("window", Interval.of(window))
                .bind("keepAlive", Interval.of(keepAlive))
                .bind("limit", limit)
                .bind("lease", Interval.of(lease))
                .map(row -> new DueClaim(row.get("id", UUID.class), row.get("keep_alive", Boolean.class)))
                .all()
                .collectList();
    }

    /** A new lease generation for this connection if it is claimable now; emits the generation, or nothing. */
    public Mono<Long> claim(UUID connectionId, Duration lease) {
        return db.sql("UPDATE connections SET " + NEW_GENERATION + " WHERE id = :id AND " + CLAIMABLE + " RETURNING lease_generation")
                .bind("id", connectionId)
                .bind("lease", Interval.of(lease))
                .map(row -> row.get("lease_generation", Long.class))
                .one();
    }

    /** A failing connection may be tried at once (support forcing a refresh). */
    public Mono<Void> clearBackoff(UUID connectionId) {
        return db.sql("UPDATE connections SET next_refresh_at = NULL WHERE id = :id AND next_refresh_at IS NOT NULL")
                .bind("id", connectionId).fetch().rowsUpdated().then();
    }

    /** Why a connection could not be claimed: its status, whether a lease is running, and its backoff. */
    public record RefreshState(ConnectionStatus status, boolean leaseRunning, Instant nextRefreshAt) {
    }

    public Mono<RefreshState> refreshState(UUID connectionId) {
        return db.sql("SELECT status, lease_expires_at > now() AS in_flight, next_refresh_at FROM connections WHERE id = :id")
                .bind("id", connectionId)
                .map(row -> new RefreshState(ConnectionStatus.valueOf(row.get("status", String.class)),
                        Boolean.TRUE.equals(row.get("in_flight", Boolean.class)), instant(row.get("next_refresh_at", OffsetDateTime.class))))
                .one();
    }

    /** A lease just taken: what a refresher needs besides the refresh token. */
    public record TakenLease(UUID connectionId, String userId, String provider, String region, long generation,
            Instant leaseExpiresAt, Instant accessTokenExpiresAt, byte[] refreshTokenCiphertext) {
        @Override
        public String toString() {
            return "TakenLease[connectionId=" + connectionId + ", generation=" + generation + "]";
        }
    }

    /**
     * Takes the leases of these generations where each is current, untaken, unexpired and its
     * connection refreshable; the rows are locked in id order, so overlapping batches wait for each
     * other instead of deadlocking. Emits the leases taken, with their refresh token ciphertexts.
     */
    public Mono<List<TakenLease>> takeLeases(UUID[] connectionIds, Long[] generations) {
        return db.sql("""
                        WITH wanted AS (
                            SELECT c.id FROM connections c
                              JOIN unnest(:ids::uuid[], :generations::bigint[]) AS r(id, generation)
                                ON c.id = r.id AND c.lease_generation = r.generation
                             WHERE c.lease_taken_at IS NULL AND c.lease_expires_at > now()
                               AND c.status IN ('ACTIVE', 'REFRESH_FAILING')
                             ORDER BY c.id
                               FOR UPDATE OF c)
                        UPDATE connections c SET lease_taken_at = now()
                          FROM wanted WHERE c.id = wanted.id
                        RETURNING c.id, c.user_id, c.provider, c.region, c.lease_generation, c.lease_expires_at,
                                  c.access_token_expires_at""")
                .bind("ids", connectionIds)
                .bind("generations", generations)
                .map(row -> new TakenLease(row.get("id", UUID.class), row.get("user_id", String.class), row.get("provider", String.class),
                        row.get("region", String.class), row.get("lease_generation", Long.class),
                        instant(row.get("lease_expires_at", OffsetDateTime.class)),
                        instant(row.get("access_token_expires_at", OffsetDateTime.class)), null))
                .all()
                .collectList()
                .flatMap(taken -> taken.isEmpty() ? Mono.just(taken) : db.sql("""
                                SELECT connection_id, refresh_token_ciphertext FROM connection_tokens WHERE connection_id = ANY(:ids)""")
                        .bind("ids", taken.stream().map(TakenLease::connectionId).toArray(UUID[]::new))
                        .map(row -> Map.entry(row.get("connection_id", UUID.class), row.get("refresh_token_ciphertext", byte[].class)))
                        .all()
                        .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                        .map(ciphertexts -> taken.stream()
                                .filter(lease -> ciphertexts.containsKey(lease.connectionId()))
                                .map(lease -> new TakenLease(lease.connectionId(), lease.userId(), lease.provider(), lease.region(),
                                        lease.generation(), lease.leaseExpiresAt(), lease.accessTokenExpiresAt(),
                                        ciphertexts.get(lease.connectionId())))
                                .toList()));
    }

    /** A connection under its row lock, as a refresh report needs it. */
    public record Leased(Connection connection, long generation, boolean leaseRunning, int failures) {
        /** The generation holds the connection's current lease, and the connection can be refreshed. */
        public boolean isLeaseOf(long reportedGeneration) {
            ConnectionStatus status = connection.status();
            return generation == reportedGeneration && leaseRunning
                    && (status == ConnectionStatus.ACTIVE || status == ConnectionStatus.REFRESH_FAILING);
        }
    }

    /** Locks the connection (FOR UPDATE) and reads it with its lease. */
    public Mono<Leased> lockLeased(UUID connectionId) {
        return db.sql("SELECT " + COLUMNS + ", lease_generation, lease_expires_at IS NOT NULL AS leased, refresh_failures "
                        + "FROM connections WHERE id = :id FOR UPDATE")
                .bind("id", connectionId)
                .map(row -> new Leased(toConnection(row), row.get("lease_generation", Long.class), row.get("leased", Boolean.class),
                        row.get("refresh_failures", Integer.class)))
                .one();
    }

    /** What tells a routine refresh report apart: the connection is ACTIVE with a lease, of this generation. */
    public record LockedForReport(UUID connectionId, String userId, boolean leasedActive, long generation) {
    }

    /** Locks these connections (FOR UPDATE, in id order) and reads only what a routine report needs. */
    public Mono<Map<UUID, LockedForReport>> lockForReports(UUID[] connectionIds) {
        return db.sql("""
                        SELECT id, user_id, status = 'ACTIVE' AND lease_expires_at IS NOT NULL AS leased_active, lease_generation
                          FROM connections WHERE id = ANY(:ids) ORDER BY id FOR UPDATE""")
                .bind("ids", connectionIds)
                .map(row -> new LockedForReport(row.get("id", UUID.class), row.get("user_id", String.class),
                        row.get("leased_active", Boolean.class), row.get("lease_generation", Long.class)))
                .all()
                .collectMap(LockedForReport::connectionId);
    }

    /** Refreshed, still ACTIVE: new expiry (seconds from now), failures and lease cleared; many connections, one statement. */
    Mono<Void> markRefreshed(UUID[] connectionIds, Long[] expiresInSeconds, Long[] refreshTokenExpiresInSeconds) {
        return db.sql("""
                        UPDATE connections c SET status = 'ACTIVE',
                            access_token_expires_at = now() + r.expires_in * interval '1 second',
                            refresh_token_expires_at = coalesce(now() + r.refresh_expires_in * interval '1 second', c.refresh_token_expires_at),
                            last_refreshed_at = now(), last_error_code = NULL, last_error_at = NULL,
                            refresh_failures = 0, next_refresh_at = NULL,
                            lease_expires_at = NULL, updated_at = now(), version = version + 1
                          FROM unnest(:ids::uuid[], :expiresIn::bigint[], :refreshExpiresIn::bigint[]) AS r(id, expires_in, refresh_expires_in)
                         WHERE c.id = r.id""")
                .bind("ids", connectionIds)
                .bind("expiresIn", expiresInSeconds)
                .bind("refreshExpiresIn", refreshTokenExpiresInSeconds)
                .then();
    }

    /** A refresh outcome for one connection: status, expiry (kept when null), error, failures, backoff; the lease cleared. */
    Mono<Connection> updateRefreshOutcome(UUID id, ConnectionStatus status, Instant accessTokenExpiresAt, String errorCode,
            int failures, Instant nextRefreshAt, Long refreshTokenExpiresInSeconds) {
        boolean success = status == ConnectionStatus.ACTIVE;
        return db.sql("""
                        UPDATE connections SET status = :status,
                            access_token_expires_at = coalesce(:expiresAt, access_token_expires_at),
                            last_refreshed_at = CASE WHEN :success THEN now() ELSE last_refreshed_at END,
                            last_error_code = :errorCode,
                            last_error_at = CASE WHEN :success THEN NULL ELSE now() END,
                            refresh_failures = :failures, next_refresh_at = :nextRefreshAt,
                            failing_since = CASE WHEN :status = 'REFRESH_FAILING' THEN coalesce(failing_since, now()) END,
                            refresh_token_expires_at = coalesce(now() + :refreshExpiresIn::bigint * interval '1 second',
                                refresh_token_expires_at),
                            lease_expires_at = NULL, updated_at = now(), version = version + 1
                        WHERE id = :id
                        RETURNING""" + " " + COLUMNS)
                .bind("status", status.name())
                .bind("expiresAt", Parameter.fromOrEmpty(accessTokenExpiresAt == null ? null : accessTokenExpiresAt.atOffset(ZoneOffset.UTC),
                        OffsetDateTime.class))
                .bind("success", success)
                .bind("errorCode", Parameter.fromOrEmpty(errorCode, String.class))
                .bind("failures", failures)
                .bind("nextRefreshAt", Parameter.fromOrEmpty(nextRefreshAt == null ? null : nextRefreshAt.atOffset(ZoneOffset.UTC),
                        OffsetDateTime.class))
                .bind("refreshExpiresIn", Parameter.fromOrEmpty(refreshTokenExpiresInSeconds, Long.class))
                .bind("id", id)
                .map(ConnectionStore::toConnection)
                .one();
    }

    /** A connection's token ciphertexts, with whose they are (the associated data needs the owner). */
    record StoredTokens(UUID connectionId, String userId, byte[] accessToken, byte[] refreshToken) {
    }

    /**
     * Up to {@code limit} token rows after {@code after} (in id order) not under {@code primaryKeyId}
     * nor under a key listed after it, locked (FOR UPDATE, skipping rows another transaction holds).
     */
    Mono<List<StoredTokens>> lockTokensNotUnder(int primaryKeyId, List<Integer> newerKeyIds, UUID after, int limit) {
        return db.sql("""
                        SELECT t.connection_id, c.user_id, t.access_token_ciphertext, t.refresh_token_ciphertext
                        FROM connection_tokens t JOIN connections c ON c.id = t.connection_id
                        WHERE t.key_id <> :primary AND NOT (t.key_id = ANY(:newer)) AND t.connection_id > :after
                        ORDER BY t.connection_id
                        LIMIT :batch
                        FOR UPDATE OF t SKIP LOCKED""")
                .bind("primary", (long) primaryKeyId)
                .bind("newer", newerKeyIds.stream().map(Integer::longValue).toArray(Long[]::new))
                .bind("after", after)
                .bind("batch", limit)
                .map(row -> new StoredTokens(row.get("connection_id", UUID.class), row.get("user_id", String.class),
                        row.get("access_token_ciphertext", byte[].class), row.get("refresh_token_ciphertext", byte[].class)))
                .all()
                .collectList();
    }

    /** Both ciphertexts of a connection, re-encrypted under {@code keyId}; the tokens and their generation are unchanged. */
    Mono<Long> replaceCiphertexts(UUID connectionId, byte[] accessToken, byte[] refreshToken, int keyId) {
        return db.sql("""
                        UPDATE connection_tokens SET access_token_ciphertext = :access, refresh_token_ciphertext = :refresh,
                            key_id = :keyId, updated_at = now()
                        WHERE connection_id = :id""")
                .bind("access", accessToken).bind("refresh", refreshToken).bind("keyId", (long) keyId)
                .bind("id", connectionId)
                .fetch().rowsUpdated();
    }

    /** The user's connection that holds the profile; an active one first if the profile was connected twice. */
    public Mono<Connection> findByProfile(String userId, String profileId) {
        return db.sql("SELECT " + PREFIXED_COLUMNS + """
                         FROM connections c JOIN connection_profiles p ON p.connection_id = c.id
                        WHERE c.user_id = :userId AND p.profile_id = :profileId
                        ORDER BY (c.status = 'ACTIVE') DESC, c.updated_at DESC
                        LIMIT 1""")
                .bind("userId", userId)
                .bind("profileId", profileId)
                .map(ConnectionStore::toConnection)
                .one();
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
                            marketplace_id, account_id, account_type, account_name,
                            parent_account_id)
                        VALUES (:id, :profileId, :country, :currency, :timezone, :marketplace, :accountId, :accountType, :accountName,
                            :parent)
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
                .bind("parent", Parameter.fromOrEmpty(profile.parentAccountId(), String.class))
                .fetch().rowsUpdated());
        return delete.thenMany(inserts).then();
    }

    public Mono<Map<UUID, List<AdvertisingProfile>>> profilesOf(Collection<UUID> connectionIds) {
        if (connectionIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("""
                        SELECT connection_id, profile_id, country_code, currency_code, timezone, marketplace_id,
                            account_id, account_type, account_name, parent_account_id
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
                                    access_token_expires_at = NULL, updated_at = now(), version = version + 1, failing_since = NULL,
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
                    Map<ConnectionStatus, Long> counts = ConnectionStatus.zeroCounts();
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
                row.get("account_type", String.class), row.get("account_name", String.class),
                row.get("parent_account_id", String.class));
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
                instant(row.get("disconnected_at", OffsetDateTime.class)),
                row.get("label", String.class),
                scopes(row.get("granted_scopes", String.class)),
                instant(row.get("failing_since", OffsetDateTime.class)),
                instant(row.get("refresh_token_expires_at", OffsetDateTime.class)));
    }

    private static java.util.Set<String> scopes(String stored) {
        return stored == null ? null : com.adsconnect.account.provider.ProviderHttp.scopes(stored);
    }

    private static String scopes(java.util.Set<String> granted) {
        return granted == null ? null : String.join(" ", new java.util.TreeSet<>(granted));
    }

    private static OffsetDateTime offset(Instant value) {
        return value == null ? null : value.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
