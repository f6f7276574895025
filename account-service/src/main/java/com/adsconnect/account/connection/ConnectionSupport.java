package com.adsconnect.account.connection;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.provider.Provider;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * What support needs of connections, across users: find them by status, provider, region and last
 * error (with counts), see one connection's diagnostics (never its token material), and act on it:
 * require re-authorization, disconnect. Actions go through {@link ConnectionLifecycle}, so status,
 * the user's audit entry (naming the service key), the event, the history entry and the
 * notification happen together, as for any other transition.
 */
@Service
public class ConnectionSupport {

    private final DatabaseClient db;
    private final ConnectionLifecycle lifecycle;
    private final ConnectionHistory history;
    private final GrantRevocations revocations;
    private final TransactionalOperator transaction;

    ConnectionSupport(DatabaseClient db, ConnectionLifecycle lifecycle, ConnectionHistory history, GrantRevocations revocations,
            TransactionalOperator transaction) {
        this.db = db;
        this.lifecycle = lifecycle;
        this.history = history;
        this.revocations = revocations;
        this.transaction = transaction;
    }

    /** Which connections: every field optional. */
    public record Filter(String userId, ConnectionStatus status, Provider provider, String region, String lastErrorCode) {
    }

    /** Matching connections, oldest id first after {@code afterId}; and how many match, by status and by provider. */
    public Mono<List<Connection>> search(Filter filter, int limit, UUID afterId) {
        return db.sql("SELECT " + ConnectionStore.COLUMNS + " FROM connections WHERE " + WHERE + " AND id > :after ORDER BY id LIMIT :limit")
                .bindValues(bindings(filter))
                .bind("after", afterId == null ? new UUID(0, 0) : afterId)
                .bind("limit", limit)
                .map(ConnectionStore::toConnection)
                .all()
                .collectList();
    }

    /** How many connections match, by status and by provider (every status and provider present). */
    public Mono<Map<String, Map<String, Long>>> counts(Filter filter) {
        return db.sql("SELECT status, provider, count(*) AS n FROM connections WHERE " + WHERE + " GROUP BY status, provider")
                .bindValues(bindings(filter))
                .map(row -> new Object[] {row.get("status", String.class), row.get("provider", String.class), row.get("n", Long.class)})
                .all()
                .collectList()
                .map(rows -> {
                    Map<String, Long> byStatus = new LinkedHashMap<>();
                    for (ConnectionStatus status : ConnectionStatus.values()) {
                        byStatus.put(status.name(), 0L);
                    }
                    Map<String, Long> byProvider = new LinkedHashMap<>();
                    for (Provider provider : Provider.values()) {
                        byProvider.put(provider.name(), 0L);
                    }
                    for (Object[] row : rows) {
                        byStatus.merge((String) row[0], (Long) row[2], Long::sum);
                        byProvider.merge((String) row[1], (Long) row[2], Long::sum);
                    }
                    return Map.of("byStatus", byStatus, "byProvider", byProvider);
                });
    }

    private static final String WHERE = """
            (CAST(:userId AS text) IS NULL OR user_id = :userId)
            AND (CAST(:status AS text) IS NULL OR status = :status)
            AND (CAST(:provider AS text) IS NULL OR provider = :provider)
            AND (CAST(:region AS text) IS NULL OR region = :region)
            AND (CAST(:lastError AS text) IS NULL OR last_error_code = :lastError)""";

    private static Map<String, Object> bindings(Filter filter) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("userId", Parameter.fromOrEmpty(filter.userId(), String.class));
        values.put("status", Parameter.fromOrEmpty(filter.status() == null ? null : filter.status().name(), String.class));
        values.put("provider", Parameter.fromOrEmpty(filter.provider() == null ? null : filter.provider().name(), String.class));
        values.put("region", Parameter.fromOrEmpty(filter.region(), String.class));
        values.put("lastError", Parameter.fromOrEmpty(filter.lastErrorCode(), String.class));
        return values;
    }

    /**
     * What support sees of one connection: the connection, where its refresh stands (lease
     * generation, whether a lease runs and until when, failures in a row, the backoff's end, the
     * failing spell's start, the grant's end), which vault key encrypted its tokens, how many
     * profiles, and its newest timeline entries. Never token material.
     */
    public record Diagnostics(Connection connection, Refresh refresh, @Nullable Long tokenKeyId, @Nullable Instant tokensUpdatedAt, long profiles,
            List<ConnectionHistory.Entry> timeline) {

        /**
         * @param leaseGeneration the generation last claimed
         * @param leaseExpiresAt  when the running lease ends (null: none runs)
         * @param leaseTakenAt    when a refresher took it (null: claimed, not taken yet)
         * @param nextAttemptAt   a failing connection is not tried before this (null: no backoff)
         */
        public record Refresh(long leaseGeneration, @Nullable Instant leaseExpiresAt, @Nullable Instant leaseTakenAt, int failuresInARow,
                @Nullable Instant nextAttemptAt, @Nullable Instant failingSince, @Nullable Instant accessTokenExpiresAt,
                @Nullable Instant refreshTokenExpiresAt) {
        }
    }

    public Mono<Diagnostics> diagnostics(UUID id, int timelineEntries) {
        return db.sql("SELECT " + ConnectionStore.PREFIXED_COLUMNS + """
                        , c.lease_generation, c.lease_expires_at, c.lease_taken_at, c.refresh_failures, c.next_refresh_at,
                          t.key_id AS token_key_id, t.updated_at AS tokens_updated_at,
                          (SELECT count(*) FROM connection_profiles p WHERE p.connection_id = c.id) AS profiles
                        FROM connections c LEFT JOIN connection_tokens t ON t.connection_id = c.id
                        WHERE c.id = :id""")
                .bind("id", id)
                .map(row -> {
                    Connection connection = ConnectionStore.toConnection(row);
                    return new Diagnostics(connection,
                            new Diagnostics.Refresh(row.get("lease_generation", Long.class), instant(row.get("lease_expires_at", OffsetDateTime.class)),
                                    instant(row.get("lease_taken_at", OffsetDateTime.class)), row.get("refresh_failures", Integer.class),
                                    instant(row.get("next_refresh_at", OffsetDateTime.class)), connection.failingSince(),
                                    connection.accessTokenExpiresAt(), connection.refreshTokenExpiresAt()),
                            row.get("token_key_id", Long.class), instant(row.get("tokens_updated_at", OffsetDateTime.class)),
                            row.get("profiles", Long.class), List.of());
                })
                .one()
                .flatMap(found -> history.page(id, timelineEntries, null)
                        .map(entries -> new Diagnostics(found.connection(), found.refresh(), found.tokenKeyId(), found.tokensUpdatedAt(),
                                found.profiles(), entries.stream().map(ConnectionHistory.Positioned::entry).toList())));
    }

    /** Support marks the connection as needing re-authorization (the user is told): empty when there is no such connection. */
    public Mono<Connection> requireReauthorization(UUID id, Actor actor) {
        Mono<Connection> work = lockById(id)
                .flatMap(before -> before.status() == ConnectionStatus.ACTIVE || before.status() == ConnectionStatus.REFRESH_FAILING
                        ? lifecycle.reauthRequired(before, "reauthorization_requested", 0, actor)
                        : Mono.just(before));
        return transaction.transactional(work);
    }

    /** Support disconnects the connection (its tokens erased, the user told, Google's grant revoked after commit); empty when there is none. */
    public Mono<Connection> disconnect(UUID id, Actor actor) {
        Mono<Connection> work = lockById(id)
                .flatMap(before -> before.status() == ConnectionStatus.DISCONNECTED ? Mono.just(before)
                        : revocations.grantOf(before).flatMap(grant -> lifecycle.disconnected(before, actor, RequestOrigin.NONE, "support")
                                .flatMap(after -> revocations.revokeAfterCommit(grant.stream().toList(), actor, RequestOrigin.NONE)
                                        .thenReturn(after))));
        return transaction.transactional(work);
    }

    private Mono<Connection> lockById(UUID id) {
        return db.sql("SELECT " + ConnectionStore.COLUMNS + " FROM connections WHERE id = :id FOR UPDATE")
                .bind("id", id)
                .map(ConnectionStore::toConnection)
                .one();
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

}
