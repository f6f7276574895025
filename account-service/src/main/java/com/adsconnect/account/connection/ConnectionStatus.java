package com.adsconnect.account.connection;

/**
 * The life of a connection: {@code ACTIVE} (tokens fresh), {@code REFRESH_FAILING} (transient
 * refresh errors, retrying), {@code REAUTH_REQUIRED} (the provider refused the refresh token; the
 * user must reconnect), {@code DISCONNECTED} (the user removed it; no token material left).
 */
public enum ConnectionStatus {
    ACTIVE,
    REFRESH_FAILING,
    REAUTH_REQUIRED,
    DISCONNECTED
}
