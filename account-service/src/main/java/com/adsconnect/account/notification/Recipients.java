package com.adsconnect.account.notification;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Where notifications learn whom they go to and how (implemented by the preferences feature, which
 * owns what users chose, so that this package needs neither it nor the user package).
 */
public interface Recipients {

    /** The user as a recipient, deleted or not; empty when there is no such user. */
    Mono<Recipient> find(String userId);

    /** Users not deleted, by id, strictly after {@code afterUserId} (null: from the first), at most {@code limit}. */
    Flux<Recipient> page(String afterUserId, int limit);
}
