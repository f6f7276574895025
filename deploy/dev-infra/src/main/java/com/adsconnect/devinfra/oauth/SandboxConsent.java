package com.adsconnect.devinfra.oauth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * What a sandbox's consent page grants next: the realm's default account unless a test set
 * another ({@link #grantNext}), and the scopes asked for unless a test had the user untick some
 * ({@link #grantOnlyNext}). Each setting holds for one consent. Thread-safe.
 */
public final class SandboxConsent<A> {

    private final Function<String, A> defaults;
    private final Map<String, A> nextAccount = new ConcurrentHashMap<>();
    private final AtomicReference<String> nextScope = new AtomicReference<>();

    /** @param defaults the account a realm's consent grants by default */
    public SandboxConsent(Function<String, A> defaults) {
        this.defaults = defaults;
    }

    /** The account the realm's next consent grants; the setting is used up. */
    public A account(String realm) {
        A next = nextAccount.remove(realm);
        return next != null ? next : defaults.apply(realm);
    }

    /** The scope the next consent grants (space-separated); null: what was asked. The setting is used up. */
    public String scope() {
        return nextScope.getAndSet(null);
    }

    public void grantNext(String realm, A account) {
        nextAccount.put(realm, account);
    }

    public void grantOnlyNext(String scope) {
        nextScope.set(scope);
    }

    public void reset() {
        nextAccount.clear();
        nextScope.set(null);
    }
}
