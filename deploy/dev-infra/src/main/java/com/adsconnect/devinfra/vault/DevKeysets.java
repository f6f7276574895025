package com.adsconnect.devinfra.vault;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import java.security.GeneralSecurityException;

/**
 * Tink AES-256-GCM keysets for the local run and for tests, in the JSON form the token vault
 * reads. Cleartext keysets: never for production, where the keyset comes from a Secret or KMS.
 */
public final class DevKeysets {

    static {
        try {
            AeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private DevKeysets() {
    }

    /** A keyset with one fresh primary key. */
    public static String generate() {
        try {
            KeysetHandle keyset = KeysetHandle.newBuilder()
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary())
                    .build();
            return TinkJsonProtoKeysetFormat.serializeKeyset(keyset, RegistryConfiguration.get(), InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a keyset", e);
        }
    }

    /**
     * Rotation, phase 1: the keyset with a new key that decrypts but does not encrypt yet (enabled,
     * not primary). Ship this to every replica before {@link #promote}: then no replica meets a
     * ciphertext under a key it lacks, whatever order a rolling deploy replaces them in.
     */
    public static String addKey(String keysetJson) {
        try {
            KeysetHandle current = parse(keysetJson);
            KeysetHandle added = KeysetHandle.newBuilder(current)
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId())
                    .build();
            return serialize(added);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot add a key to the keyset", e);
        }
    }

    /** Rotation, phase 2: the keyset with the newest key (the one {@link #addKey} added) made primary. */
    public static String promote(String keysetJson) {
        try {
            KeysetHandle current = parse(keysetJson);
            KeysetHandle.Builder builder = KeysetHandle.newBuilder(current);
            builder.getAt(builder.size() - 1).makePrimary();
            return serialize(builder.build());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot promote the keyset's newest key", e);
        }
    }

    /** The id of the keyset's primary key. */
    public static int primaryKeyId(String keysetJson) {
        try {
            return parse(keysetJson).getPrimary().getId();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the keyset", e);
        }
    }

    private static KeysetHandle parse(String keysetJson) throws GeneralSecurityException {
        return TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, RegistryConfiguration.get(), InsecureSecretKeyAccess.get());
    }

    private static String serialize(KeysetHandle keyset) throws GeneralSecurityException {
        return TinkJsonProtoKeysetFormat.serializeKeyset(keyset, RegistryConfiguration.get(), InsecureSecretKeyAccess.get());
    }

    /**
     * Both phases at once: a new primary key; the old keys stay. Only safe where every reader gets
     * the new keyset at the same moment (tests, a single process).
     */
    public static String rotate(String keysetJson) {
        try {
            KeysetHandle current = TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, RegistryConfiguration.get(),
                    InsecureSecretKeyAccess.get());
            KeysetHandle rotated = KeysetHandle.newBuilder(current)
                    .addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM).withRandomId().makePrimary())
                    .build();
            return TinkJsonProtoKeysetFormat.serializeKeyset(rotated, RegistryConfiguration.get(), InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot rotate the keyset", e);
        }
    }
}
