package com.adsconnect.account.connection;

import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.time.Instant;

/**
 * Where to send the browser, and the state the callback must bring back before {@code expiresAt}.
 * {@link #toString()} shows neither: the state (also in the URL) is a bearer secret until it is used.
 */
public record AuthorizationStart(
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "https://www.amazon.com/ap/oa?client_id=amzn1.application-oa2-client.example&scope=advertising%3A%3Acampaign_management&response_type=code&state=9f2c", description = "where to send the browser") URI authorizationUrl,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "9f2c5d1e7b", description = "bring it back with the code; single use, 10 minutes") String state,
        @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Instant expiresAt) {

    @Override
    public String toString() {
        return "AuthorizationStart[expiresAt=" + expiresAt + "]";
    }
}
