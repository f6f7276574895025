package com.adsconnect.account.connection;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
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
 * Rotation as operators do it: the running keyset gets a new primary key, then the re-encryption
 * job moves every row to it, and every token stays readable throughout.
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
    void rotationThenReencryptionLeavesEveryTokenReadable() throws Exception {
        Api api = new Api(web, infrastructure.clerk());
        Db db = new Db(infrastructure);
        List<UUID> ids = new ArrayList<>();
        for (String user : List.of("user_rot_1", "user_rot_2", "user_rot_3")) {
            ids.add(UUID.fromString((String) connect(api.as(user), "NA").get("id")));
        }
        List<String> plaintextBefore = readAll(db, currentVault, ids);

        String rotatedKeyset = DevKeysets.rotate(new ClassPathResource("vault/test-keyset.json").getContentAsString(StandardCharsets.UTF_8));
        TokenVault rotated = TokenVault.fromJsonKeyset(rotatedKeyset);
        TokenVaultProperties properties = new TokenVaultProperties(rotatedKeyset, null, Duration.ofMinutes(10), 2);
        TokenReencryptionJob job = new TokenReencryptionJob(databaseClient, rotated, properties,
                new OAuthStates(databaseClient, rotated), transaction);

        // old rows still decrypt with the rotated keyset before anything moved
        assertThat(readAll(db, rotated, ids)).isEqualTo(plaintextBefore);

        StepVerifier.create(job.reencryptAll()).expectNext(3L).verifyComplete();

        assertThat(db.count("SELECT count(*) FROM connection_tokens WHERE key_id <> ?", (long) rotated.primaryKeyId())).isZero();
        assertThat(readAll(db, rotated, ids)).isEqualTo(plaintextBefore);
        for (UUID id : ids) {
            assertThat(TokenVault.keyIdOf(ciphertext(db, id, "access_token_ciphertext"))).isEqualTo(rotated.primaryKeyId());
        }
        StepVerifier.create(job.reencryptAll()).expectNext(0L).verifyComplete();
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
