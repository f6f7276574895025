package com.adsconnect.account.apikey;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The service API keys internal callers may use, by hash only: the keys themselves are never
 * configured or stored. Env: {@code INTERNAL_API_KEYS_0_NAME}, {@code INTERNAL_API_KEYS_0_SHA256},
 * {@code INTERNAL_API_KEYS_0_SCOPES} (comma separated), {@code INTERNAL_API_KEYS_0_REVOKED}.
 * Rotation is two entries for the same caller at once, old and new; then the old one is removed
 * (or marked revoked). See README "Service API keys" for the command that makes a key and its hash.
 */
@Validated
@ConfigurationProperties("internal-api")
public record ApiKeyProperties(@NotNull @DefaultValue List<@Valid Key> keys) {

    /**
     * @param name    who holds the key (for logs, metrics and the audit trail), e.g. {@code token-refresher}
     * @param sha256  hex SHA-256 of the key
     * @param scopes  what it may do: {@code tokens:read}, {@code refresh:lease}, {@code admin:read}, {@code admin:write}
     * @param revoked a revoked key is refused like an unknown one
     */
    public record Key(
            @NotBlank String name,
            @NotBlank @Pattern(regexp = "[0-9a-f]{64}", message = "must be the hex SHA-256 of the key") String sha256,
            @NotEmpty Set<@Pattern(regexp = "tokens:read|refresh:lease|admin:read|admin:write") String> scopes,
            @DefaultValue("false") boolean revoked) {
    }
}
