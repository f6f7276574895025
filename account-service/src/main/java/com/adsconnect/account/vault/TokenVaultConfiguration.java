package com.adsconnect.account.vault;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class TokenVaultConfiguration {

    @Bean
    TokenVault tokenVault(TokenVaultProperties properties) throws GeneralSecurityException, IOException {
        String json;
        if (properties.keyset() != null && !properties.keyset().isBlank()) {
            json = properties.keyset();
        } else if (properties.keysetFile() != null && properties.keysetFile().exists()) {
            json = properties.keysetFile().getContentAsString(StandardCharsets.UTF_8);
        } else {
            throw new IllegalStateException("""
                    no token vault keyset: set token-vault.keyset (TOKEN_VAULT_KEYSET) to a Tink JSON keyset, \
                    or token-vault.keyset-file (TOKEN_VAULT_KEYSET_FILE) to a file holding one""");
        }
        return TokenVault.fromJsonKeyset(json);
    }
}
