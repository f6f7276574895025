package com.adsconnect.benchmarks;

import com.adsconnect.devinfra.postgres.PostgresLocator;
import com.adsconnect.local.LocalStack;
import com.adsconnect.local.LocalStackSettings;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * Synthetic users, ACTIVE connections and their encrypted tokens, written straight into PostgreSQL
 * with COPY (a million in a few minutes; through the API it would take hours). Amazon's only, or a
 * mix of the three providers (every third Amazon, in its three regions; Google; Microsoft). Tokens
 * are encrypted as account-service's vault does it, with the running stack's keyset; refresh tokens
 * are {@code sim_<region>_<i>}, which the sandboxes accept once told
 * ({@code acceptSyntheticRefreshTokens("sim_")}) and {@link LightTokenEndpoints} always does.
 * Connection {@code i} is {@link #id}{@code (i)} of user {@code <userPrefix><i>}.
 */
final class SyntheticConnections {

    static final String[] REGIONS = {"NA", "EU", "FE"};
    static final String[] PROVIDERS = {"AMAZON", "GOOGLE", "MICROSOFT"};
    private static final long ID_HIGH = 0x51_3000_0000_0000L;

    private SyntheticConnections() {
    }

    /**
     * Drops the run's database and the broker's data before a stack starts: the synthetic ids are
     * the same every run, and an earlier run's rows or events must not meet this one's.
     */
    static void startClean(LocalStackSettings settings) throws IOException {
        PostgresLocator.findRunning().ifPresent(postgres -> postgres.dropDatabase(settings.database()));
        Path kafka = settings.workDir().resolve("kafka");
        if (Files.exists(kafka)) {
            try (var paths = Files.walk(kafka)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    static UUID id(int i) {
        return new UUID(ID_HIGH, i);
    }

    /**
     * Seeds {@code count} connections; {@code expiry} gives connection {@code i}'s access-token
     * expiry. With {@code expiryTable}, (connection id, expiry) pairs also go into that table.
     */
    static void seed(LocalStack stack, int count, String userPrefix, IntFunction<Instant> expiry, String expiryTable)
            throws Exception {
        seed(stack, count, userPrefix, expiry, expiryTable, false);
    }

    /** The provider of connection {@code i}: Amazon's alone, or with {@code mix} each provider in turn. */
    static String provider(int i, boolean mix) {
        return mix ? PROVIDERS[i % PROVIDERS.length] : "AMAZON";
    }

    /** The region of connection {@code i}: Amazon's three in turn, GLOBAL for the others. */
    static String region(int i, boolean mix) {
        if (!mix) {
            return REGIONS[i % REGIONS.length];
        }
        return "AMAZON".equals(provider(i, true)) ? REGIONS[(i / PROVIDERS.length) % REGIONS.length] : "GLOBAL";
    }

    static void seed(LocalStack stack, int count, String userPrefix, IntFunction<Instant> expiry, String expiryTable, boolean mix)
            throws Exception {
        AeadConfig.register();
        KeysetHandle keyset = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(stack.vaultKeysetFile()),
                InsecureSecretKeyAccess.get());
        Aead aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
        // as account-service stores it: the Tink key id as a signed int widened to bigint
        long keyId = keyset.getPrimary().getId();
        long started = System.nanoTime();
        try (Connection db = DriverManager.getConnection(stack.jdbcUrl(), stack.postgres().username(), stack.postgres().password())) {
            if (expiryTable != null) {
                try (Statement statement = db.createStatement()) {
                    statement.execute("CREATE TABLE IF NOT EXISTS " + expiryTable
                            + " (connection_id uuid PRIMARY KEY, expires_at timestamptz NOT NULL)");
                    statement.execute("TRUNCATE " + expiryTable);
                }
            }
            var copy = new org.postgresql.copy.CopyManager(db.unwrap(org.postgresql.core.BaseConnection.class));
            int batch = 50_000;
            for (int from = 0; from < count; from += batch) {
                int to = Math.min(count, from + batch);
                StringBuilder users = new StringBuilder();
                StringBuilder rows = new StringBuilder();
                StringBuilder tokens = new StringBuilder();
                StringBuilder expiries = new StringBuilder();
                for (int i = from; i < to; i++) {
                    String user = userPrefix + i;
                    String id = id(i).toString();
                    String provider = provider(i, mix);
                    String region = region(i, mix);
                    Instant expiresAt = expiry.apply(i);
                    users.append(user).append('\t').append(user).append("@example.com\n");
                    rows.append(id).append('\t').append(user).append('\t').append(provider).append('\t').append(region)
                            .append("\tSIM").append(provider).append(region)
                            .append("\tACTIVE\t").append(expiresAt).append('\n');
                    tokens.append(id).append("\t\\\\x").append(hex(aead, "Atza|sim-access-" + i, user, id, "ACCESS_TOKEN"))
                            .append("\t\\\\x").append(hex(aead, "sim_" + region + "_" + i, user, id, "REFRESH_TOKEN"))
                            .append('\t').append(keyId).append('\n');
                    expiries.append(id).append('\t').append(expiresAt).append('\n');
                }
                copy.copyIn("COPY users (id, email) FROM STDIN", new StringReader(users.toString()));
                copy.copyIn("COPY connections (id, user_id, provider, region, account_key, status, access_token_expires_at) FROM STDIN",
                        new StringReader(rows.toString()));
                copy.copyIn("COPY connection_tokens (connection_id, access_token_ciphertext, refresh_token_ciphertext, key_id) FROM STDIN",
                        new StringReader(tokens.toString()));
                if (expiryTable != null) {
                    copy.copyIn("COPY " + expiryTable + " (connection_id, expires_at) FROM STDIN", new StringReader(expiries.toString()));
                }
                System.out.printf(Locale.ROOT, "seeded %,d of %,d connections%n", to, count);
            }
            try (Statement statement = db.createStatement()) {
                statement.execute("ANALYZE users; ANALYZE connections; ANALYZE connection_tokens"
                        + (expiryTable == null ? "" : "; ANALYZE " + expiryTable));
            }
        }
        System.out.printf(Locale.ROOT, "seeded %,d connections in %d s%n", count, Duration.ofNanos(System.nanoTime() - started).toSeconds());
    }

    /** Same associated data as account-service's TokenVault: the row's owner, the row, the kind. */
    private static String hex(Aead aead, String secret, String owner, String row, String kind) throws Exception {
        String data = "ads-connect/v1|" + owner.length() + ":" + owner + "|" + row.length() + ":" + row + "|" + kind;
        return HexFormat.of().formatHex(aead.encrypt(secret.getBytes(StandardCharsets.UTF_8), data.getBytes(StandardCharsets.UTF_8)));
    }
}
