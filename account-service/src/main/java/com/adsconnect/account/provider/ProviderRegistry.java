package com.adsconnect.account.provider;

import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** The adapters of the configured providers, by provider. A provider without configuration has none. */
@Component
public class ProviderRegistry {

    private final Map<Provider, ProviderAdapter> adapters = new EnumMap<>(Provider.class);

    ProviderRegistry(List<ProviderAdapter> adapters) {
        adapters.forEach(adapter -> this.adapters.put(adapter.provider(), adapter));
    }

    /** The provider's adapter; empty when the provider is not configured here. */
    public Optional<ProviderAdapter> find(Provider provider) {
        return Optional.ofNullable(adapters.get(provider));
    }

    /** The adapter of a provider that must be configured (it holds connections). */
    public ProviderAdapter get(Provider provider) {
        return find(provider).orElseThrow(() -> new IllegalStateException("no adapter for provider " + provider));
    }

    /** The configured providers' adapters, in {@link Provider} order. */
    public Collection<ProviderAdapter> all() {
        return adapters.values();
    }
}
