package com.adsconnect.account.audit;

import jakarta.validation.constraints.NotNull;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Who may say where a request came from. Env: {@code FORWARDED_TRUSTED_PROXIES} (comma separated).
 *
 * @param trustedProxies addresses or CIDR blocks of the gateway: only a request from one of them
 *                       has its {@code X-Forwarded-For} believed; from anyone else it is removed
 */
@Validated
@ConfigurationProperties("forwarded")
public record ForwardedProperties(@NotNull @DefaultValue({"127.0.0.1/32", "::1/128"}) List<String> trustedProxies) {
}
