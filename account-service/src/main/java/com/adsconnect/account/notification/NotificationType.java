package com.adsconnect.account.notification;

/** What a notification announces; {@link #type} is its stable name in the API and in message keys. */
public enum NotificationType {
    /** The provider refused the connection's refresh token: the user must authorize again. */
    REAUTH_REQUIRED("connection.reauth_required"),
    /** Refreshes have failed for longer than {@code notifications.failing-alert-after}. */
    REFRESH_FAILING("connection.refresh_failing"),
    /** A connection announced as failing refreshes again. */
    RECOVERED("connection.recovered"),
    /** The system disconnected a connection (for example because the user's account was deleted). */
    DISCONNECTED("connection.disconnected"),
    /** The refresh token itself ends soon (the provider granted access until a date): reconnect before then. */
    REFRESH_TOKEN_EXPIRING("connection.refresh_token_expiring");

    private final String type;

    NotificationType(String type) {
        this.type = type;
    }

    public String type() {
        return type;
    }

    /** Whether the user has to act on it (the message says so and links to where). */
    public boolean needsAction() {
        return this == REAUTH_REQUIRED || this == REFRESH_TOKEN_EXPIRING;
    }
}
