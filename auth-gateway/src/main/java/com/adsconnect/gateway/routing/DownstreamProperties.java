package com.adsconnect.gateway.routing;

import jakarta.validation.constraints.NotNull;
import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the gateway sends the routes it owns. Env: {@code GATEWAY_ACCOUNT_SERVICE_URL}.
 *
 * @param accountServiceUrl base URL of account-service
 */
@Validated
@ConfigurationProperties("gateway")
public record DownstreamProperties(@NotNull @DefaultValue("http://127.0.0.1:8081") URI accountServiceUrl) {
}
