package com.adsconnect.account.provider;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;

/** The adapters of the configured providers, by provider. */
@Component
public class ProviderRegistry {

    private final Map<Provider, ProviderAdapter> adapters = new EnumMap<>(Provider.class);

    ProviderRegistry(List<ProviderAdapter> adapters) {
        adapters.forEach(adapter -> this.adapters.put(adapter.provider(), adapter));
    }

    public ProviderAdapter get(Provider provider) {
        ProviderAdapter adapter = adapters.get(provider);
        if (adapter == null) {
            throw new IllegalStateException("no adapter for provider " + provider);
        }
        return adapter;
    }
}
