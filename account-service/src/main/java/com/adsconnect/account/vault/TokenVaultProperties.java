package com.adsconnect.account.vault;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;
import org.springframework.validation.annotation.Validated;

/**
 * Where the vault's Tink keyset comes from: {@code keyset} (the JSON keyset itself, for a Secret
 * mounted as an env var: {@code TOKEN_VAULT_KEYSET}) or {@code keyset-file} (a resource location
 * such as {@code file:/run/secrets/keyset.json}: {@code TOKEN_VAULT_KEYSET_FILE}). One of them is
 * required: the service does not start without keys, and never generates them.
 *
 * @param keyset              a Tink JSON keyset of AES-256-GCM keys
 * @param keysetFile          a file holding such a keyset
 * @param reencryptInterval   how often rows still encrypted under an older key are moved to the primary key
 * @param reencryptBatchSize  rows per re-encryption transaction
 */
@Validated
@ConfigurationProperties("token-vault")
public record TokenVaultProperties(
        String keyset,
        Resource keysetFile,
        @NotNull @DefaultValue("10m") Duration reencryptInterval,
        @DefaultValue("200") int reencryptBatchSize) {

    /** Without the keyset. */
    @Override
    public String toString() {
        return "TokenVaultProperties[keyset=" + (keyset == null ? "none" : "(set)") + ", keysetFile=" + keysetFile
                + ", reencryptInterval=" + reencryptInterval + ", reencryptBatchSize=" + reencryptBatchSize + "]";
    }
}
