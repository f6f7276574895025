package com.adsconnect.account.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adsconnect.devinfra.vault.DevKeysets;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenVaultTest {

    private final String keyset = DevKeysets.generate();

    @Test
    void roundTripsAndNeverStoresThePlaintext() throws Exception {
        TokenVault vault = TokenVault.fromJsonKeyset(keyset);
        byte[] ciphertext = vault.encrypt("Atza|secret-access-token", "user_1", "conn-1", TokenKind.ACCESS_TOKEN);

        assertThat(new String(ciphertext, StandardCharsets.ISO_8859_1)).doesNotContain("secret-access-token");
        assertThat(vault.decrypt(ciphertext, "user_1", "conn-1", TokenKind.ACCESS_TOKEN)).isEqualTo("Atza|secret-access-token");
        assertThat(TokenVault.keyIdOf(ciphertext)).isEqualTo(vault.primaryKeyId());
    }

    @Test
    void aCiphertextOnlyDecryptsForItsOwnUserRowAndKind() throws Exception {
        TokenVault vault = TokenVault.fromJsonKeyset(keyset);
        byte[] ciphertext = vault.encrypt("Atzr|refresh", "user_1", "conn-1", TokenKind.REFRESH_TOKEN);

        assertThatThrownBy(() -> vault.decrypt(ciphertext, "user_2", "conn-1", TokenKind.REFRESH_TOKEN))
                .isInstanceOf(TokenVault.VaultException.class).hasMessage("decryption failed");
        assertThatThrownBy(() -> vault.decrypt(ciphertext, "user_1", "conn-2", TokenKind.REFRESH_TOKEN))
                .isInstanceOf(TokenVault.VaultException.class);
        assertThatThrownBy(() -> vault.decrypt(ciphertext, "user_1", "conn-1", TokenKind.ACCESS_TOKEN))
                .isInstanceOf(TokenVault.VaultException.class);
        // field boundaries are part of the associated data
        byte[] shifted = vault.encrypt("x", "ab", "c", TokenKind.ACCESS_TOKEN);
        assertThatThrownBy(() -> vault.decrypt(shifted, "a", "bc", TokenKind.ACCESS_TOKEN))
                .isInstanceOf(TokenVault.VaultException.class);
    }

    @Test
    void afterRotationTheNewKeyEncryptsAndTheOldStillDecrypts() throws Exception {
        TokenVault before = TokenVault.fromJsonKeyset(keyset);
        byte[] old = before.encrypt("Atza|old", "user_1", "conn-1", TokenKind.ACCESS_TOKEN);

        TokenVault after = TokenVault.fromJsonKeyset(DevKeysets.rotate(keyset));
        byte[] fresh = after.encrypt("Atza|new", "user_1", "conn-1", TokenKind.ACCESS_TOKEN);

        assertThat(after.primaryKeyId()).isNotEqualTo(before.primaryKeyId());
        assertThat(TokenVault.keyIdOf(fresh)).isEqualTo(after.primaryKeyId());
        assertThat(after.decrypt(old, "user_1", "conn-1", TokenKind.ACCESS_TOKEN)).isEqualTo("Atza|old");
        assertThatThrownBy(() -> before.decrypt(fresh, "user_1", "conn-1", TokenKind.ACCESS_TOKEN))
                .isInstanceOf(TokenVault.VaultException.class);
    }

    @Test
    void refusesKeysetsThatAreNotAes256Gcm() {
        String aes128Keyset = """
                {"primaryKeyId":1,"key":[{"keyData":{"typeUrl":"type.googleapis.com/google.crypto.tink.AesGcmKey",
                "value":"GhCx1YQ3XwJ4oDCNLfvqb6Tr","keyMaterialType":"SYMMETRIC"},"status":"ENABLED","keyId":1,"outputPrefixType":"TINK"}]}""";
        assertThatThrownBy(() -> TokenVault.fromJsonKeyset(aes128Keyset)).isInstanceOf(java.security.GeneralSecurityException.class);
        assertThatThrownBy(() -> TokenVault.keyIdOf(new byte[] {0, 1})).isInstanceOf(TokenVault.VaultException.class);
    }
}
