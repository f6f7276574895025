package com.adsconnect.account.user;

import com.adsconnect.account.connection.AccountHolders;
import com.adsconnect.account.connection.ConnectionStatus;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** SQL for the users table. Callers own the transactions. */
@Repository
public class UserStore implements AccountHolders {

    private static final String COLUMNS = """
            id, email, first_name, last_name, image_url, display_name, company_name, job_title,
            clerk_updated_at, created_at, updated_at, deleted_at""";

    private final DatabaseClient db;

    UserStore(DatabaseClient db) {
        this.db = db;
    }

    public Mono<User> find(String id) {
        return db.sql("SELECT " + COLUMNS + " FROM users WHERE id = :id")
                .bind("id", id).map(UserStore::toUser).one();
    }

    /** A user with what the profile shows beside it: connections by status, unread in-app notifications. */
    record Profile(User user, Map<ConnectionStatus, Long> connections, long unreadNotifications) {
    }

    /**
     * The user, the counts of their connections by status and their unread in-app notifications
     * in one statement and one round trip: what {@code GET /api/v1/me} answers on every page load.
     */
    Mono<Profile> findProfile(String id) {
        return db.sql("SELECT " + COLUMNS + """
                        ,
                               ARRAY(SELECT status || '=' || count(*) FROM connections c WHERE c.user_id = u.id GROUP BY status)
                                   AS connection_counts,
                               (SELECT count(*) FROM notifications n WHERE n.user_id = u.id AND n.in_app AND n.read_at IS NULL)
                                   AS unread_notifications
                          FROM users u WHERE u.id = :id""")
                .bind("id", id)
                .map(row -> new Profile(toUser(row), connectionCounts(row.get("connection_counts", String[].class)),
                        row.get("unread_notifications", Long.class)))
                .one();
    }

    private static Map<ConnectionStatus, Long> connectionCounts(String[] counted) {
        Map<ConnectionStatus, Long> counts = ConnectionStatus.zeroCounts();
        for (String entry : counted) {
            int equals = entry.indexOf('=');
            counts.put(ConnectionStatus.valueOf(entry.substring(0, equals)), Long.parseLong(entry.substring(equals + 1)));
        }
        return counts;
    }

    /** Users whose email is this one, ignoring case (support looks users up by what the customer wrote from). */
    public reactor.core.publisher.Flux<User> findByEmail(String email) {
        return db.sql("SELECT " + COLUMNS + " FROM users WHERE lower(email) = lower(:email) ORDER BY created_at LIMIT 20")
                .bind("email", email).map(UserStore::toUser).all();
    }

    /** Locks the user's row for the rest of the transaction; serialises changes per user. */
    public Mono<User> findForUpdate(String id) {
        return db.sql("SELECT " + COLUMNS + " FROM users WHERE id = :id FOR UPDATE")
                .bind("id", id).map(UserStore::toUser).one();
    }

    /**
     * A share lock conflicts with the update that marks a user deleted: a deletion in progress is
     * waited for (and then seen), and one that starts later waits for the caller's commit, after
     * which it finds, and disconnects, what the caller stored.
     */
    @Override
    public Mono<Void> holdAgainstDeletion(String userId) {
        return db.sql("SELECT deleted_at IS NOT NULL AS deleted FROM users WHERE id = :id FOR SHARE")
                .bind("id", userId)
                .map(row -> row.get("deleted", Boolean.class))
                .one()
                .defaultIfEmpty(true)
                .flatMap(deleted -> deleted ? Mono.error(CurrentUsers.gone()) : Mono.empty());
    }

    /** Creates the user unless a row exists; emits the new row, or nothing when it existed. */
    Mono<User> insertIfAbsent(ClerkIdentity identity) {
        return db.sql("""
                        INSERT INTO users (id, email, first_name, last_name, image_url)
                        VALUES (:id, :email, :firstName, :lastName, :imageUrl)
                        ON CONFLICT (id) DO NOTHING
                        RETURNING""" + " " + COLUMNS)
                .bind("id", identity.userId())
                .bind("email", Parameter.fromOrEmpty(identity.email(), String.class))
                .bind("firstName", Parameter.fromOrEmpty(identity.firstName(), String.class))
                .bind("lastName", Parameter.fromOrEmpty(identity.lastName(), String.class))
                .bind("imageUrl", Parameter.fromOrEmpty(identity.imageUrl(), String.class))
                .map(UserStore::toUser).one();
    }

    /**
     * Applies Clerk's data unless the stored data is as new or newer, or the user is deleted;
     * creates the user when unknown. Emits the row as written, or nothing when it was not applied.
     */
    Mono<User> applyClerkData(ClerkIdentity identity) {
        return db.sql("""
                        INSERT INTO users (id, email, first_name, last_name, image_url, clerk_updated_at)
                        VALUES (:id, :email, :firstName, :lastName, :imageUrl, :clerkUpdatedAt)
                        ON CONFLICT (id) DO UPDATE SET
                            email = EXCLUDED.email,
                            first_name = EXCLUDED.first_name,
                            last_name = EXCLUDED.last_name,
                            image_url = EXCLUDED.image_url,
                            clerk_updated_at = EXCLUDED.clerk_updated_at,
                            updated_at = now(),
                            version = users.version + 1
                        WHERE users.deleted_at IS NULL
                          AND (users.clerk_updated_at IS NULL OR users.clerk_updated_at < EXCLUDED.clerk_updated_at)
                        RETURNING""" + " " + COLUMNS)
                .bind("id", identity.userId())
                .bind("email", Parameter.fromOrEmpty(identity.email(), String.class))
                .bind("firstName", Parameter.fromOrEmpty(identity.firstName(), String.class))
                .bind("lastName", Parameter.fromOrEmpty(identity.lastName(), String.class))
                .bind("imageUrl", Parameter.fromOrEmpty(identity.imageUrl(), String.class))
                .bind("clerkUpdatedAt", identity.updatedAt().atOffset(ZoneOffset.UTC))
                .map(UserStore::toUser).one();
    }

    Mono<User> updateProfile(String id, String displayName, String companyName, String jobTitle) {
        return db.sql("""
                        UPDATE users SET display_name = :displayName, company_name = :companyName, job_title = :jobTitle,
                            updated_at = now(), version = version + 1
                        WHERE id = :id AND deleted_at IS NULL
                        RETURNING""" + " " + COLUMNS)
                .bind("id", id)
                .bind("displayName", Parameter.fromOrEmpty(displayName, String.class))
                .bind("companyName", Parameter.fromOrEmpty(companyName, String.class))
                .bind("jobTitle", Parameter.fromOrEmpty(jobTitle, String.class))
                .map(UserStore::toUser).one();
    }

    /**
     * Marks the user deleted (creating a tombstone when the user was never seen, so that a late
     * {@code user.created} cannot bring them back). Emits true when this call deleted the user.
     */
    Mono<Boolean> softDelete(String id) {
        return db.sql("""
                        INSERT INTO users (id, deleted_at) VALUES (:id, now())
                        ON CONFLICT (id) DO UPDATE SET deleted_at = now(), updated_at = now(), version = users.version + 1
                        WHERE users.deleted_at IS NULL""")
                .bind("id", id)
                .fetch().rowsUpdated()
                .map(rows -> rows > 0);
    }

    /** Users deleted before the cutoff whose personal data is still stored. */
    Flux<String> deletedBeforeAndNotPurged(Instant cutoff, int limit) {
        return db.sql("""
                        SELECT id FROM users
                        WHERE deleted_at IS NOT NULL AND purged_at IS NULL AND deleted_at < :cutoff
                        ORDER BY deleted_at LIMIT :limit""")
                .bind("cutoff", cutoff.atOffset(ZoneOffset.UTC))
                .bind("limit", limit)
                .map(row -> row.get("id", String.class)).all();
    }

    /** Erases the personal data of a deleted user; the id stays as a tombstone. */
    Mono<Long> erasePersonalData(String id) {
        return db.sql("""
                        UPDATE users SET email = NULL, first_name = NULL, last_name = NULL, image_url = NULL,
                            display_name = NULL, company_name = NULL, job_title = NULL, purged_at = now(), updated_at = now()
                        WHERE id = :id AND deleted_at IS NOT NULL AND purged_at IS NULL""")
                .bind("id", id)
                .fetch().rowsUpdated();
    }

    private static User toUser(Readable row) {
        return new User(
                row.get("id", String.class),
                row.get("email", String.class),
                row.get("first_name", String.class),
                row.get("last_name", String.class),
                row.get("image_url", String.class),
                row.get("display_name", String.class),
                row.get("company_name", String.class),
                row.get("job_title", String.class),
                instant(row.get("clerk_updated_at", OffsetDateTime.class)),
                instant(row.get("created_at", OffsetDateTime.class)),
                instant(row.get("updated_at", OffsetDateTime.class)),
                instant(row.get("deleted_at", OffsetDateTime.class)));
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
