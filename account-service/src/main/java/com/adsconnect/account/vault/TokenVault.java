package com.adsconnect.account.vault;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AesGcmParameters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * Encrypts and decrypts secrets with Tink AEAD (AES-256-GCM). The associated data binds each
 * ciphertext to its owner, its row and its kind, so a ciphertext copied to another row, user or
 * column fails to decrypt. Tink prefixes each ciphertext with the id of the key that made it: old
 * keys keep decrypting after a rotation, and {@link #keyIdOf} tells which rows still need to be
 * re-encrypted under the primary key.
 */
public final class TokenVault {

    private static final int TINK_PREFIX_LENGTH = 5;
    private static final byte TINK_START_BYTE = 0x01;

    private final Aead aead;
    private final int primaryKeyId;
    private final List<Integer> keysAfterPrimary;

    /**
     * The vault for a cleartext Tink JSON keyset. It must come from a Secret or a KMS-decrypted
     * file, never from the repository. Only AES-256-GCM keys are accepted.
     */
    public static TokenVault fromJsonKeyset(String json) throws GeneralSecurityException {
        AeadConfig.register();
        return new TokenVault(TinkJsonProtoKeysetFormat.parseKeyset(json, RegistryConfiguration.get(), InsecureSecretKeyAccess.get()));
    }

    public TokenVault(KeysetHandle keyset) throws GeneralSecurityException {
        for (int i = 0; i < keyset.size(); i++) {
            if (!(keyset.getAt(i).getKey().getParameters() instanceof AesGcmParameters params) || params.getKeySizeBytes() != 32) {
                throw new GeneralSecurityException("the token vault keyset must hold only AES-256-GCM keys");
            }
        }
        this.aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
        this.primaryKeyId = keyset.getPrimary().getId();
        List<Integer> newer = new ArrayList<>();
        boolean afterPrimary = false;
        for (int i = 0; i < keyset.size(); i++) {
            if (afterPrimary) {
                newer.add(keyset.getAt(i).getId());
            }
            afterPrimary |= keyset.getAt(i).isPrimary();
        }
        this.keysAfterPrimary = List.copyOf(newer);
    }

    /**
     * Keys listed after the primary: keys added for a rotation that this keyset has not promoted
     * yet (phase 1 of a rotation, or a replica not yet rolled out to phase 2). Rows under them are
     * newer than the primary and are not moved back to it.
     */
    public List<Integer> keysAfterPrimary() {
        return keysAfterPrimary;
    }

    /**
     * @param owner  the user the secret belongs to
     * @param row    the row it is stored in (connection id, or the OAuth state's hash)
     * @param kind   what it is
     */
    public byte[] encrypt(String secret, String owner, String row, TokenKind kind) {
        try {
            return aead.encrypt(secret.getBytes(StandardCharsets.UTF_8), associatedData(owner, row, kind));
        } catch (GeneralSecurityException e) {
            throw new VaultException("encryption failed", e);
        }
    }

    public String decrypt(byte[] ciphertext, String owner, String row, TokenKind kind) {
        try {
            return new String(aead.decrypt(ciphertext, associatedData(owner, row, kind)), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            // no detail: which check failed must not help anyone probing the vault
            throw new VaultException("decryption failed", null);
        }
    }

    public int primaryKeyId() {
        return primaryKeyId;
    }

    /** The id of the key a ciphertext was made with, from Tink's 5-byte prefix. */
    public static int keyIdOf(byte[] ciphertext) {
        if (ciphertext.length < TINK_PREFIX_LENGTH || ciphertext[0] != TINK_START_BYTE) {
            throw new VaultException("not a Tink ciphertext", null);
        }
        return ByteBuffer.wrap(ciphertext, 1, 4).getInt();
    }

    private static byte[] associatedData(String owner, String row, TokenKind kind) {
        // length-prefixed fields, so that ("ab","c") and ("a","bc") differ
        String data = "ads-connect/v1|" + owner.length() + ":" + owner + "|" + row.length() + ":" + row + "|" + kind.name();
        return data.getBytes(StandardCharsets.UTF_8);
    }

    /** A vault failure; never carries plaintext, ciphertext or key material. */
    public static final class VaultException extends RuntimeException {
        VaultException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
