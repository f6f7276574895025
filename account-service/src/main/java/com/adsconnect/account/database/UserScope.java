package com.adsconnect.account.database;

import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Whose rows the database work of a reactive chain may see, carried in the Reactor context. A
 * user request ({@link UserScopeFilter}) sees only the signed-in user's rows; everything else
 * (internal API, webhooks, scheduled jobs, the outbox relay) sees all rows.
 */
public final class UserScope {

    private static final Object KEY = UserScope.class;

    private UserScope() {
    }

    /** The context of a chain whose database work is the given user's. */
    public static Context of(String userId) {
        return Context.of(KEY, userId);
    }

    /** The user whose rows the chain may see; null: all users. */
    static String userOf(ContextView context) {
        return context.getOrDefault(KEY, null);
    }
}
