package com.adsconnect.account.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.stereotype.Component;

/**
 * Checks presented API keys against the configured hashes. Keys are long random strings, so a
 * single SHA-256 is enough (no password hashing needed), and the comparison runs over every
 * configured key in constant time per key, so timing does not reveal which hash almost matched.
 */
@Component
public class ApiKeys {

    private static final int MAX_KEY_LENGTH = 256;

    /** A configured key with its hash decoded once, not on every request. */
    private record Configured(byte[] hash, ApiKeyProperties.Key key) {
    }

    private final List<Configured> keys;

    ApiKeys(ApiKeyProperties properties) {
        this.keys = properties.keys().stream()
                .map(key -> new Configured(HexFormat.of().parseHex(key.sha256()), key))
                .toList();
    }

    public Optional<ApiKeyAuthentication> authenticate(String presented) {
        if (presented == null || presented.isBlank() || presented.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented.strip());
        ApiKeyProperties.Key match = null;
        for (Configured configured : keys) {
            if (MessageDigest.isEqual(hash, configured.hash()) && match == null) {
                match = configured.key();
            }
        }
        if (match == null || match.revoked()) {
            return Optional.empty();
        }
        return Optional.of(new ApiKeyAuthentication(match.name(),
                match.scopes().stream().map(scope -> new SimpleGrantedAuthority("SCOPE_" + scope)).toList()));
    }

    /** Cloned per key: a provider lookup ({@code getInstance}) on every internal call cost more than the hash itself. */
    private static final MessageDigest SHA_256 = newSha256();

    static byte[] sha256(String key) {
        try {
            return ((MessageDigest) SHA_256.clone()).digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
