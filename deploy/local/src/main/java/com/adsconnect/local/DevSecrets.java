package com.adsconnect.local;

import com.adsconnect.devinfra.vault.DevKeysets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The local run's secrets: a Tink keyset for the token vault, a Clerk webhook secret, three
 * service API keys (reporting with {@code tokens:read}, the refresher with {@code refresh:lease},
 * support with {@code admin:read} and {@code admin:write})
 * and the key that signs unsubscribe links,
 * generated on the first run into the work directory (owner-only permissions) and reused after,
 * so that tokens stored by one run decrypt in the next. Local runs only: production gets both
 * from Secrets.
 */
record DevSecrets(Path keysetFile, String webhookSecret, String readerApiKey, String refresherApiKey, String adminApiKey,
        String unsubscribeKey) {

    static DevSecrets in(Path workDir) {
        try {
            Path dir = Files.createDirectories(workDir.resolve("secrets"));
            Path keyset = dir.resolve("dev-keyset.json");
            if (!Files.exists(keyset)) {
                write(keyset, DevKeysets.generate());
            }
            Path webhook = dir.resolve("clerk-webhook-secret");
            if (!Files.exists(webhook)) {
                byte[] secret = new byte[24];
                new SecureRandom().nextBytes(secret);
                write(webhook, "whsec_" + Base64.getEncoder().encodeToString(secret));
            }
            Path unsubscribe = dir.resolve("unsubscribe-key");
            if (!Files.exists(unsubscribe)) {
                byte[] key = new byte[32];
                new SecureRandom().nextBytes(key);
                write(unsubscribe, Base64.getEncoder().encodeToString(key));
            }
            return new DevSecrets(keyset, Files.readString(webhook).strip(),
                    apiKey(dir.resolve("api-key-reporting")), apiKey(dir.resolve("api-key-token-refresher")),
                    apiKey(dir.resolve("api-key-support")), Files.readString(unsubscribe).strip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the local run's secrets", e);
        }
    }

    /** A service API key: 32 random bytes, URL-safe. account-service only ever sees its SHA-256. */
    private static String apiKey(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            write(file, "ak_" + Base64.getUrlEncoder().withoutPadding().encodeToString(key));
        }
        return Files.readString(file).strip();
    }

    static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.writeString(file, content);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // best effort on file systems without POSIX permissions
        }
    }
}
