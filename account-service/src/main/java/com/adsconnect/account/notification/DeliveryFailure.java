package com.adsconnect.account.notification;

/**
 * A send that did not go through. {@code code} is a short word for the delivery row and metrics
 * (never a server's text, which may echo an address or URL); {@code permanent} when trying again
 * cannot help.
 */
final class DeliveryFailure extends RuntimeException {

    private final String code;
    private final boolean permanent;

    DeliveryFailure(String code, boolean permanent, Throwable cause) {
        super(code, cause, false, false);
        this.code = code;
        this.permanent = permanent;
    }

    String code() {
        return code;
    }

    boolean permanent() {
        return permanent;
    }
}
