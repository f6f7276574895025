package com.adsconnect.account.connection;

import reactor.core.publisher.Mono;

/**
 * The users connections belong to, as the connect flow needs them (implemented where users are
 * owned). A connection is stored only for a user that exists and is not deleted, and the user's
 * deletion, which disconnects every connection, must not slip in between the check and the commit.
 */
public interface AccountHolders {

    /**
     * Holds the user's row against deletion until the caller's transaction ends; fails with 410
     * ({@code user-deleted}) when the user is deleted, waiting first for a deletion in progress.
     */
    Mono<Void> holdAgainstDeletion(String userId);
}
