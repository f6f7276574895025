package com.adsconnect.gateway.security;

import jakarta.validation.constraints.NotNull;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * What browsers may do through the gateway. Env: {@code GATEWAY_ALLOWED_ORIGINS} (comma
 * separated), {@code GATEWAY_MAX_BODY_SIZE}, {@code GATEWAY_TRUSTED_PROXIES} (comma separated).
 *
 * @param allowedOrigins front-end origins allowed by CORS and, for requests authenticated by the
 *                       {@code __session} cookie, by the CSRF origin check
 * @param maxBodySize    larger request bodies are refused with 413 before they reach a backend
 * @param trustedProxies addresses or CIDR blocks of the proxies in front of the gateway (the ingress
 *                       controller) whose {@code X-Forwarded-For} and {@code X-Forwarded-Proto} are
 *                       believed; empty (the default): the connection's peer is the client
 */
@Validated
@ConfigurationProperties("gateway")
public record GatewayProperties(
        @NotNull @DefaultValue("http://localhost:3000") List<String> allowedOrigins,
        @NotNull @DefaultValue("256KB") DataSize maxBodySize,
        @NotNull @DefaultValue({}) List<String> trustedProxies) {
}
