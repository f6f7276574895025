package com.adsconnect.refresher.refresh;

import reactor.core.publisher.Mono;

/** What the Kafka side hands each {@code token-expiring} event to: {@link RefreshWorker} in production. */
@FunctionalInterface
interface TokenExpiringHandler {

    /** Handles one event; an error means it could not be handled now (the event is tried again later). */
    Mono<RefreshWorker.Outcome> handle(TokenExpiringEvent event);

    /** Refreshes that run on although their caller went away (a consumer restart): shutdown waits for them. */
    default int refreshesInFlight() {
        return 0;
    }
}
