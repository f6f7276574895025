package com.adsconnect.account.connection;

import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import com.adsconnect.account.vault.TokenVaultProperties;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * After a key rotation (a new primary key added to the keyset, the old keys kept), moves every
 * connection's tokens to the primary key, batch by batch, while the service keeps serving: rows are
 * claimed with {@code FOR UPDATE SKIP LOCKED}, so replicas share the work and never block
 * requests for long. When {@code key_id} is the primary everywhere, the old keys can be removed from
 * the keyset. Also sweeps OAuth states that expired a day ago (their PKCE verifiers are encrypted
 * too, and are never re-encrypted: they live ten minutes).
 */
@Component
public class TokenReencryptionJob {

    private static final Logger log = LoggerFactory.getLogger(TokenReencryptionJob.class);

    private final DatabaseClient db;
    private final TokenVault vault;
    private final TokenVaultProperties properties;
    private final OAuthStates states;
    private final TransactionalOperator transaction;

    TokenReencryptionJob(DatabaseClient db, TokenVault vault, TokenVaultProperties properties, OAuthStates states,
            TransactionalOperator transaction) {
        this.db = db;
        this.vault = vault;
        this.properties = properties;
        this.states = states;
        this.transaction = transaction;
    }

    @Scheduled(initialDelayString = "${token-vault.reencrypt-initial-delay:1m}", fixedDelayString = "${token-vault.reencrypt-interval:10m}")
    Mono<Void> run() {
        return reencryptAll()
                .doOnNext(moved -> {
                    if (moved > 0) {
                        log.info("re-encrypted the tokens of {} connections under primary key {}", moved, vault.primaryKeyId());
                    }
                })
                .then(states.deleteExpiredBefore(OffsetDateTime.now(ZoneOffset.UTC).minusDays(1)))
                .onErrorResume(error -> {
                    log.warn("re-encryption run failed; the next run continues: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** Re-encrypts until no row is left under an older key; emits how many rows moved. */
    public Mono<Long> reencryptAll() {
        return reencryptBatch()
                .expand(moved -> moved > 0 ? reencryptBatch() : Mono.empty())
                .reduce(0L, Long::sum);
    }

    private Mono<Long> reencryptBatch() {
        Flux<Long> batch = db.sql("""
                        SELECT t.connection_id, c.user_id, t.access_token_ciphertext, t.refresh_token_ciphertext
                        FROM connection_tokens t JOIN connections c ON c.id = t.connection_id
                        WHERE t.key_id <> :primary
                        LIMIT :batch
                        FOR UPDATE OF t SKIP LOCKED""")
                .bind("primary", (long) vault.primaryKeyId())
                .bind("batch", properties.reencryptBatchSize())
                .map(row -> new Row(row.get("connection_id", UUID.class), row.get("user_id", String.class),
                        row.get("access_token_ciphertext", byte[].class), row.get("refresh_token_ciphertext", byte[].class)))
                .all()
                .collectList()
                .flatMapMany(Flux::fromIterable)
                .concatMap(this::reencrypt);
        return transaction.transactional(batch).count();
    }

    private Mono<Long> reencrypt(Row row) {
        String id = row.connectionId().toString();
        byte[] access = vault.encrypt(vault.decrypt(row.access(), row.userId(), id, TokenKind.ACCESS_TOKEN),
                row.userId(), id, TokenKind.ACCESS_TOKEN);
        byte[] refresh = vault.encrypt(vault.decrypt(row.refresh(), row.userId(), id, TokenKind.REFRESH_TOKEN),
                row.userId(), id, TokenKind.REFRESH_TOKEN);
        return db.sql("""
                        UPDATE connection_tokens SET access_token_ciphertext = :access, refresh_token_ciphertext = :refresh,
                            key_id = :keyId, updated_at = now()
                        WHERE connection_id = :id""")
                .bind("access", access).bind("refresh", refresh).bind("keyId", (long) vault.primaryKeyId())
                .bind("id", row.connectionId())
                .fetch().rowsUpdated();
    }

    private record Row(UUID connectionId, String userId, byte[] access, byte[] refresh) {
    }
}
