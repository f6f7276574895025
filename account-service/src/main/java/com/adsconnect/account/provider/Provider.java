package com.adsconnect.account.provider;

import java.util.Locale;
import java.util.Optional;

/**
 * An advertising platform users connect. Stored in the {@code provider} column; its lower-case
 * name ({@link #slug()}) is what the public API's paths say.
 */
public enum Provider {
    AMAZON("Amazon Ads"),
    GOOGLE("Google Ads"),
    MICROSOFT("Microsoft Advertising");

    private final String displayName;

    Provider(String displayName) {
        this.displayName = displayName;
    }

    /** The name users know the platform by, for messages and the UI. */
    public String displayName() {
        return displayName;
    }

    /** The provider's name in paths: {@code amazon}, {@code google}, {@code microsoft}. */
    public String slug() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The provider a path names, in any letter case; empty for anything else. */
    public static Optional<Provider> fromSlug(String slug) {
        for (Provider provider : values()) {
            if (provider.slug().equalsIgnoreCase(slug)) {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }
}
