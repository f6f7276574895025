package com.adsconnect.account.connection;

import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import com.adsconnect.account.vault.TokenVaultProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * After the primary key changed (see {@code docs/token-vault.md}: a new key is first shipped
 * enabled, then promoted), moves every connection's tokens to the primary key, batch by batch,
 * while the service keeps serving: rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so
 * replicas share the work and never block requests for long. A pass walks the rows in connection-id
 * order once; a row that does not decrypt (a key missing from the keyset, a damaged ciphertext) is
 * left as it is, counted ({@code token_vault_reencryption_undecryptable}) and named in the log, and
 * the rest of its batch moves on. Also sweeps OAuth states that expired a day ago (their PKCE
 * verifiers are encrypted too, and are never re-encrypted: they live ten minutes).
 */
@Component
public class TokenReencryptionJob {

    private static final Logger log = LoggerFactory.getLogger(TokenReencryptionJob.class);
    private static final UUID BEFORE_FIRST = new UUID(0, 0);
    /** Undecryptable rows named in the log, and kept in a pass's result: a removed key can make it millions. */
    private static final int LOGGED_IDS = 20;
    private static final int KEPT_IDS = 1000;

    /** What one pass did: rows moved to the primary key, and (the first thousand of) the rows it could not decrypt. */
    public record Pass(long moved, long undecryptable, List<UUID> undecryptableIds) {
    }

    /** The rows a pass could not decrypt: how many, and the first of them. */
    private static final class Undecryptable {
        private long count;
        private final List<UUID> first = new ArrayList<>();

        synchronized void add(UUID id) {
            count++;
            if (first.size() < KEPT_IDS) {
                first.add(id);
            }
        }
    }

    private final ConnectionStore connections;
    private final TokenVault vault;
    private final TokenVaultProperties properties;
    private final OAuthStates states;
    private final TransactionalOperator transaction;
    private final Clock clock;
    private final Counter undecryptableRows;
    private final AtomicLong undecryptableInLastPass = new AtomicLong();

    TokenReencryptionJob(ConnectionStore connections, TokenVault vault, TokenVaultProperties properties, OAuthStates states,
            TransactionalOperator transaction, Clock clock, MeterRegistry meters) {
        this.connections = connections;
        this.vault = vault;
        this.properties = properties;
        this.states = states;
        this.transaction = transaction;
        this.clock = clock;
        this.undecryptableRows = Counter.builder("token_vault.reencryption.undecryptable")
                .description("rows the re-encryption job could not decrypt and left as they were").register(meters);
        Gauge.builder("token_vault.reencryption.undecryptable.last_pass", undecryptableInLastPass, AtomicLong::get)
                .description("rows left undecryptable by the last re-encryption pass").register(meters);
    }

    /** Spring subscribes to this one publisher on every run: everything is computed per subscription. */
    @Scheduled(initialDelayString = "${token-vault.reencrypt-initial-delay:1m}", fixedDelayString = "${token-vault.reencrypt-interval:10m}")
    Mono<Void> run() {
        return Mono.defer(() -> reencryptAll()
                        .doOnNext(pass -> {
                            if (pass.moved() > 0) {
                                log.info("re-encrypted the tokens of {} connections under primary key {}", pass.moved(), vault.primaryKeyId());
                            }
                        })
                        .then(Mono.defer(() -> states.deleteExpiredBefore(clock.instant().minus(Duration.ofDays(1)).atOffset(ZoneOffset.UTC)))))
                .onErrorResume(error -> {
                    log.warn("re-encryption run failed; the next run continues: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }

    /** One pass over every row not under the primary key. */
    public Mono<Pass> reencryptAll() {
        return Mono.defer(() -> {
            Undecryptable undecryptable = new Undecryptable();
            return reencryptBatch(BEFORE_FIRST, undecryptable)
                    .expand(batch -> batch.rows() == 0 ? Mono.empty() : reencryptBatch(batch.last(), undecryptable))
                    .map(Batch::moved)
                    .reduce(0L, Long::sum)
                    .map(moved -> {
                        undecryptableInLastPass.set(undecryptable.count);
                        if (undecryptable.count > 0) {
                            undecryptableRows.increment(undecryptable.count);
                            log.warn("{} connections' tokens do not decrypt with the current keyset and stay under their old key: {}{}",
                                    undecryptable.count, undecryptable.first.subList(0, Math.min(undecryptable.first.size(), LOGGED_IDS)),
                                    undecryptable.count > LOGGED_IDS ? " and more" : "");
                        }
                        return new Pass(moved, undecryptable.count, List.copyOf(undecryptable.first));
                    });
        });
    }

    /** Rows after {@code after} in id order; one transaction. */
    private Mono<Batch> reencryptBatch(UUID after, Undecryptable undecryptable) {
        Mono<Batch> batch = connections.lockTokensNotUnder(vault.primaryKeyId(), vault.keysAfterPrimary(), after,
                        properties.reencryptBatchSize())
                .flatMap(rows -> Flux.fromIterable(rows)
                        .concatMap(row -> reencrypt(row, undecryptable))
                        .reduce(0L, Long::sum)
                        .map(moved -> new Batch(rows.size(), moved, rows.isEmpty() ? after : rows.getLast().connectionId())));
        return transaction.transactional(batch);
    }

    private Mono<Long> reencrypt(ConnectionStore.StoredTokens row, Undecryptable undecryptable) {
        String id = row.connectionId().toString();
        byte[] access;
        byte[] refresh;
        try {
            access = vault.encrypt(vault.decrypt(row.accessToken(), row.userId(), id, TokenKind.ACCESS_TOKEN),
                    row.userId(), id, TokenKind.ACCESS_TOKEN);
            refresh = vault.encrypt(vault.decrypt(row.refreshToken(), row.userId(), id, TokenKind.REFRESH_TOKEN),
                    row.userId(), id, TokenKind.REFRESH_TOKEN);
        } catch (TokenVault.VaultException e) {
            undecryptable.add(row.connectionId());
            return Mono.just(0L);
        }
        return connections.replaceCiphertexts(row.connectionId(), access, refresh, vault.primaryKeyId());
    }

    private record Batch(int rows, long moved, UUID last) {
    }
}
