package com.adsconnect.refresher.refresh;

import com.adsconnect.refresher.amazon.AmazonProperties;
import com.adsconnect.refresher.google.GoogleProperties;
import com.adsconnect.refresher.microsoft.MicrosoftProperties;
import com.adsconnect.refresher.provider.OAuthRefreshClient;
import com.adsconnect.refresher.provider.ProviderRefreshException;
import com.adsconnect.refresher.provider.RefreshedTokens;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The token clients of the configured providers, by provider: Amazon always, Google and Microsoft
 * where their client id is set. Each has its own Resilience4j instances, quota and error mapping.
 */
@Component
public class TokenClients {

    private final Map<String, OAuthRefreshClient> clients = new LinkedHashMap<>();

    TokenClients(AmazonProperties amazon, GoogleProperties google, MicrosoftProperties microsoft, WebClient.Builder webClientBuilder,
            JsonMapper json, MeterRegistry meters) {
        clients.put("AMAZON", new OAuthRefreshClient(amazon.endpoint(), webClientBuilder, json, meters));
        if (google.enabled()) {
            clients.put("GOOGLE", new OAuthRefreshClient(google.endpoint(), webClientBuilder, json, meters));
        }
        if (microsoft.enabled()) {
            clients.put("MICROSOFT", new OAuthRefreshClient(microsoft.endpoint(), webClientBuilder, json, meters));
        }
    }

    /**
     * Refreshes at the provider's token endpoint. A provider not configured here fails transiently
     * ({@code provider_not_configured}): a missing setting must not send users to re-authorize.
     */
    public Mono<RefreshedTokens> refresh(String provider, String region, String refreshToken, Instant deadline) {
        return client(provider)
                .map(client -> client.refresh(region, refreshToken, deadline))
                .orElseGet(() -> Mono.error(ProviderRefreshException.notConfigured(provider)));
    }

    /** The provider's client (AMAZON, GOOGLE, MICROSOFT, in any case); empty when it is not configured. */
    public Optional<OAuthRefreshClient> client(String provider) {
        return Optional.ofNullable(provider == null ? null : clients.get(provider.toUpperCase(Locale.ROOT)));
    }
}
