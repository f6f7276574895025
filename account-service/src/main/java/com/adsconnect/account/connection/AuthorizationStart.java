package com.adsconnect.account.connection;

import java.net.URI;
import java.time.Instant;

/** Where to send the browser, and the state the callback must bring back before {@code expiresAt}. */
public record AuthorizationStart(URI authorizationUrl, String state, Instant expiresAt) {
}
