package com.adsconnect.account.internal;

import com.adsconnect.account.connection.Connection;
import com.adsconnect.account.connection.ConnectionStore;
import java.util.Arrays;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** Lookups internal callers need and users do not. */
@Repository
class InternalLookups {

    private static final String PREFIXED_COLUMNS = String.join(", ", Arrays.stream(ConnectionStore.COLUMNS.split(","))
            .map(column -> "c." + column.strip()).toList());

    private final DatabaseClient db;

    InternalLookups(DatabaseClient db) {
        this.db = db;
    }

    /** The user's connection that holds the profile; an active one first if the profile was connected twice. */
    Mono<Connection> byProfile(String userId, String profileId) {
        return db.sql("SELECT " + PREFIXED_COLUMNS + """
                         FROM connections c JOIN connection_profiles p ON p.connection_id = c.id
                        WHERE c.user_id = :userId AND p.profile_id = :profileId
                        ORDER BY (c.status = 'ACTIVE') DESC, c.updated_at DESC
                        LIMIT 1""")
                .bind("userId", userId)
                .bind("profileId", profileId)
                .map(row -> ConnectionStore.toConnection(row))
                .one();
    }
}
