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

    /** The keyset with a new primary key added; the old keys stay, so old ciphertexts still decrypt. */
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
