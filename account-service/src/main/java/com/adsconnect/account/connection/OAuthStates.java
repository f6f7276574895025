package com.adsconnect.account.connection;

import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.problem.ProblemTypes;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Single-use OAuth states bound to a user, with a 10-minute lifetime. The database holds only the
 * SHA-256 of a state and the PKCE verifier encrypted, so a database dump cannot complete anyone's
 * authorization.
 */
@Component
class OAuthStates {

    static final Duration LIFETIME = Duration.ofMinutes(10);

    private final DatabaseClient db;
    private final TokenVault vault;
    private final SecureRandom random = new SecureRandom();

    OAuthStates(DatabaseClient db, TokenVault vault) {
        this.db = db;
        this.vault = vault;
    }

    /** A state the user's browser takes to the provider and back. */
    record Issued(String state, String codeChallenge, Instant expiresAt) {
        /** Without the state, which is a bearer secret until it is used. */
        @Override
        public String toString() {
            return "Issued[expiresAt=" + expiresAt + "]";
        }
    }

    /** A consumed state: what the callback continues with. */
    record Consumed(Provider provider, String region, UUID connectionId, String codeVerifier) {
        /** Without the PKCE verifier. */
        @Override
        public String toString() {
            return "Consumed[provider=" + provider + ", region=" + region + ", connectionId=" + connectionId + ", pkce=" + (codeVerifier != null) + "]";
        }
    }

    /**
     * Open (unused) states a user may have; starting another flow drops the oldest. An abandoned
     * flow's state would otherwise stay until it expires, and nothing bounded how many.
     */
    static final int MAX_OPEN_PER_USER = 10;

    Mono<Issued> issue(String userId, Provider provider, String region, UUID connectionId, boolean pkce) {
        String state = randomToken();
        byte[] hash = sha256(state);
        String verifier = pkce ? randomToken() : null;
        byte[] verifierCiphertext = verifier == null ? null
                : vault.encrypt(verifier, userId, HexFormat.of().formatHex(hash), TokenKind.PKCE_VERIFIER);
        Instant expiresAt = Instant.now().plus(LIFETIME);
        // the new state, and the user's open states beyond the newest MAX_OPEN_PER_USER dropped: however often a
        // user (or a script with their token) starts flows, their open states stay bounded
        return db.sql("""
                        WITH issued AS (
                            INSERT INTO oauth_states (state_hash, user_id, provider, region, connection_id, pkce_verifier_ciphertext, expires_at)
                            VALUES (:hash, :userId, :provider, :region, :connectionId, :verifier, :expiresAt))
                        DELETE FROM oauth_states
                         WHERE user_id = :userId AND used_at IS NULL
                           AND state_hash NOT IN (SELECT state_hash FROM oauth_states
                                                   WHERE user_id = :userId AND used_at IS NULL
                                                   ORDER BY created_at DESC, state_hash LIMIT :keep)""")
                .bind("keep", MAX_OPEN_PER_USER - 1)
                .bind("hash", hash)
                .bind("userId", userId)
                .bind("provider", provider.name())
                .bind("region", region)
                .bind("connectionId", Parameter.fromOrEmpty(connectionId, UUID.class))
                .bind("verifier", Parameter.fromOrEmpty(verifierCiphertext, byte[].class))
                .bind("expiresAt", expiresAt.atOffset(ZoneOffset.UTC))
                .then()
                .thenReturn(new Issued(state, verifier == null ? null : challenge(verifier), expiresAt));
    }

    /**
     * Marks the state used, atomically, if it exists, belongs to the user, is unexpired and unused.
     * Every failure answers the same problem: telling "expired" from "someone else's" would help
     * an attacker holding a stolen state.
     */
    Mono<Consumed> consume(String userId, String state) {
        if (state == null || state.isBlank() || state.length() > 256) {
            return Mono.error(invalid());
        }
        byte[] hash = sha256(state);
        return db.sql("""
                        UPDATE oauth_states SET used_at = now()
                        WHERE state_hash = :hash AND user_id = :userId AND used_at IS NULL AND expires_at > now()
                        RETURNING provider, region, connection_id, pkce_verifier_ciphertext""")
                .bind("hash", hash)
                .bind("userId", userId)
                .map(row -> {
                    byte[] verifier = row.get("pkce_verifier_ciphertext", byte[].class);
                    return new Consumed(Provider.valueOf(row.get("provider", String.class)), row.get("region", String.class),
                            row.get("connection_id", UUID.class),
                            verifier == null ? null
                                    : vault.decrypt(verifier, userId, HexFormat.of().formatHex(hash), TokenKind.PKCE_VERIFIER));
                })
                .one()
                .switchIfEmpty(Mono.error(OAuthStates::invalid));
    }

    /** Deletes states that expired more than a day ago. */
    Mono<Long> deleteExpiredBefore(OffsetDateTime cutoff) {
        return db.sql("DELETE FROM oauth_states WHERE expires_at < :cutoff").bind("cutoff", cutoff).fetch().rowsUpdated();
    }

    static ApiProblem invalid() {
        return new ApiProblem(HttpStatus.BAD_REQUEST, ProblemTypes.OAUTH_STATE_INVALID, "Authorization state invalid",
                "This authorization link is unknown, expired, already used or belongs to another session. Start the connection again.");
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String challenge(String verifier) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
