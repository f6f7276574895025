package com.adsconnect.account.connection;

import java.util.EnumMap;
import java.util.Map;

/**
 * The life of a connection: {@code ACTIVE} (tokens fresh), {@code REFRESH_FAILING} (transient
 * refresh errors, retrying), {@code REAUTH_REQUIRED} (the provider refused the refresh token; the
 * user must reconnect), {@code DISCONNECTED} (the user removed it; no token material left).
 */
public enum ConnectionStatus {
    ACTIVE,
    REFRESH_FAILING,
    REAUTH_REQUIRED,
    DISCONNECTED;

    /** A count per status, every status present and at zero: what counting a user's connections starts from. */
    public static Map<ConnectionStatus, Long> zeroCounts() {
        Map<ConnectionStatus, Long> counts = new EnumMap<>(ConnectionStatus.class);
        for (ConnectionStatus status : values()) {
            counts.put(status, 0L);
        }
        return counts;
    }
}
