package com.adsconnect.account.refresh;

import com.adsconnect.account.database.DatabaseNotifications;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

/**
 * PostgreSQL NOTIFY on {@value #CHANNEL}: every replica learns at once when any replica stored a
 * refresh outcome, so a token request waiting for an urgent refresh wakes without polling. Waiters
 * also re-read on a timer, so a lost notification costs latency, never correctness.
 */
@Component
public class TokenRefreshSignals {

    static final String CHANNEL = "token_refreshed";

    private final Flux<UUID> refreshed;

    TokenRefreshSignals(DatabaseNotifications notifications) {
        // a refresh batch notifies once for many connections: their ids, comma-separated
        this.refreshed = notifications.payloads(CHANNEL)
                .concatMapIterable(ids -> Arrays.stream(ids.split(",")).map(TokenRefreshSignals::connectionId).filter(Objects::nonNull).toList());
    }

    /** Connection ids whose refresh outcome was just stored, from now on. */
    public Flux<UUID> refreshed() {
        return refreshed;
    }

    private static UUID connectionId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException notOurs) {
            return null;
        }
    }
}
