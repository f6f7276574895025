package com.adsconnect.account.connection;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.MovableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import reactor.core.publisher.Mono;
import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import com.adsconnect.account.vault.TokenVaultProperties;
import com.adsconnect.devinfra.vault.DevKeysets;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.test.StepVerifier;

/**
 * Rotation as operators do it (docs/token-vault.md): ship the new key enabled but not primary,
 * promote it, then the re-encryption job moves every row to it, and every token stays readable
 * throughout, on replicas of either phase.
 */
@AccountServiceTest
class KeyRotationReencryptionTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    DatabaseClient databaseClient;

    @Autowired
    TokenVault currentVault;

    @Autowired
    TransactionalOperator transaction;

    @Test
    void twoPhaseRotationThenReencryptionMovesEveryRowAndSkipsADamagedOne() throws Exception {
        Api api = new Api(web, infrastructure.clerk());
        Db db = new Db(infrastructure);
        List<UUID> ids = new ArrayList<>();
        for (String user : List.of("user_rot_1", "user_rot_2", "user_rot_3", "user_rot_4", "user_rot_5")) {
            ids.add(UUID.fromString((String) connect(api.as(user), "NA").get("id")));
        }
        String original = new ClassPathResource("vault/test-keyset.json").getContentAsString(StandardCharsets.UTF_8);
        String shipped = DevKeysets.addKey(original);
        String promoted = DevKeysets.promote(shipped);
        TokenVault phase1 = TokenVault.fromJsonKeyset(shipped);
        TokenVault phase2 = TokenVault.fromJsonKeyset(promoted);
        assertThat(phase1.primaryKeyId()).as("phase 1 still encrypts under the old key").isEqualTo(currentVault.primaryKeyId());
        assertThat(phase2.primaryKeyId()).isNotEqualTo(currentVault.primaryKeyId());

        // during the rollout of phase 2, replicas still on phase 1 read what promoted replicas write;
        // replicas on the original keyset would not, which is why phase 1 comes first
        byte[] written = phase2.encrypt("Atzr|rollout", "user_rot_1", ids.getFirst().toString(), TokenKind.REFRESH_TOKEN);
        assertThat(phase1.decrypt(written, "user_rot_1", ids.getFirst().toString(), TokenKind.REFRESH_TOKEN)).isEqualTo("Atzr|rollout");
        assertThatThrownBy(() -> currentVault.decrypt(written, "user_rot_1", ids.getFirst().toString(), TokenKind.REFRESH_TOKEN))
                .isInstanceOf(TokenVault.VaultException.class);

        // one row is damaged: its refresh token is another row's ciphertext, bound to that row
        UUID damaged = ids.get(2);
        db.execute("UPDATE connection_tokens SET refresh_token_ciphertext = (SELECT refresh_token_ciphertext FROM connection_tokens "
                + "WHERE connection_id = ?::uuid) WHERE connection_id = ?::uuid", ids.get(1).toString(), damaged.toString());
        List<UUID> intact = ids.stream().filter(id -> !id.equals(damaged)).toList();
        List<String> plaintextBefore = readAll(db, currentVault, intact);
        assertThat(readAll(db, phase2, intact)).as("old rows decrypt under the promoted keyset before anything moved")
                .isEqualTo(plaintextBefore);

        TokenVaultProperties properties = new TokenVaultProperties(promoted, null, Duration.ofMinutes(10), 2);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        TokenReencryptionJob job = new TokenReencryptionJob(new ConnectionStore(databaseClient), phase2, properties,
                new OAuthStates(databaseClient, phase2), transaction, Clock.systemUTC(), meters);

        StepVerifier.create(job.reencryptAll())
                .expectNext(new TokenReencryptionJob.Pass(4, 1, List.of(damaged)))
                .verifyComplete();

        assertThat(db.count("SELECT count(*) FROM connection_tokens WHERE key_id <> ?", (long) phase2.primaryKeyId()))
                .as("only the damaged row is left under the old key").isEqualTo(1);
        assertThat(db.string("SELECT connection_id::text FROM connection_tokens WHERE key_id <> ?", (long) phase2.primaryKeyId()))
                .isEqualTo(damaged.toString());
        assertThat(readAll(db, phase2, intact)).isEqualTo(plaintextBefore);
        assertThat(readAll(db, phase1, intact)).as("and phase-1 replicas read the moved rows").isEqualTo(plaintextBefore);
        for (UUID id : intact) {
            assertThat(TokenVault.keyIdOf(ciphertext(db, id, "access_token_ciphertext"))).isEqualTo(phase2.primaryKeyId());
        }
        assertThat(meters.get("token_vault.reencryption.undecryptable").counter().count()).isEqualTo(1.0);
        assertThat(meters.get("token_vault.reencryption.undecryptable.last_pass").gauge().value()).isEqualTo(1.0);

        // the next pass ends too, and reports the same row again
        StepVerifier.create(job.reencryptAll()).expectNext(new TokenReencryptionJob.Pass(0, 1, List.of(damaged))).verifyComplete();

        // a replica still on the phase-1 keyset during the promotion's rollout leaves rows of the new key alone
        TokenReencryptionJob phase1Job = new TokenReencryptionJob(new ConnectionStore(databaseClient), phase1,
                new TokenVaultProperties(shipped, null, Duration.ofMinutes(10), 2), new OAuthStates(databaseClient, phase1), transaction,
                Clock.systemUTC(), new SimpleMeterRegistry());
        StepVerifier.create(phase1Job.reencryptAll()).expectNext(new TokenReencryptionJob.Pass(0, 0, List.of())).verifyComplete();
        assertThat(db.count("SELECT count(*) FROM connection_tokens WHERE key_id = ?", (long) phase2.primaryKeyId())).isEqualTo(4);
    }

    /** Spring builds a Mono-returning @Scheduled method's publisher once and subscribes to it on every run. */
    @Test
    void eachRunOfTheSamePublisherSweepsStatesByThatRunsClock() {
        Db db = new Db(infrastructure);
        db.execute("INSERT INTO users (id) VALUES ('user_states_clock') ON CONFLICT DO NOTHING");
        db.execute("INSERT INTO oauth_states (state_hash, user_id, provider, region, expires_at) "
                + "VALUES (decode('aa01', 'hex'), 'user_states_clock', 'AMAZON', 'NA', now() - interval '23 hours')");
        MovableClock clock = new MovableClock();
        TokenReencryptionJob job = new TokenReencryptionJob(new ConnectionStore(databaseClient), currentVault,
                new TokenVaultProperties(null, null, Duration.ofMinutes(10), 10), new OAuthStates(databaseClient, currentVault),
                transaction, clock, new SimpleMeterRegistry());
        Mono<Void> scheduled = job.run();

        StepVerifier.create(scheduled).verifyComplete();
        assertThat(db.count("SELECT count(*) FROM oauth_states WHERE user_id = 'user_states_clock'")).isEqualTo(1);

        clock.advance(Duration.ofHours(2));
        StepVerifier.create(scheduled).verifyComplete();
        assertThat(db.count("SELECT count(*) FROM oauth_states WHERE user_id = 'user_states_clock'"))
                .as("expired more than a day ago by the second run's clock").isZero();
    }

    private static List<String> readAll(Db db, TokenVault vault, List<UUID> ids) {
        List<String> plaintext = new ArrayList<>();
        for (UUID id : ids) {
            String owner = db.string("SELECT user_id FROM connections WHERE id = ?::uuid", id.toString());
            plaintext.add(vault.decrypt(ciphertext(db, id, "access_token_ciphertext"), owner, id.toString(), TokenKind.ACCESS_TOKEN));
            plaintext.add(vault.decrypt(ciphertext(db, id, "refresh_token_ciphertext"), owner, id.toString(), TokenKind.REFRESH_TOKEN));
        }
        return plaintext;
    }

    private static byte[] ciphertext(Db db, UUID id, String column) {
        return java.util.HexFormat.of().parseHex(
                db.string("SELECT encode(" + column + ", 'hex') FROM connection_tokens WHERE connection_id = ?::uuid", id.toString()));
    }
}
