package com.adsconnect.account.database;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * Row-level security is the second wall: queries that forget their {@code user_id} filter, run
 * through the application's own connections in a user's scope, see and change only that user's
 * rows; internal and scheduled work (no user scope) sees every row; a session of the application's
 * role that set no scope sees nothing.
 */
@AccountServiceTest
class RowLevelSecurityTest {

    @Autowired
    DatabaseClient db;

    @Autowired
    TransactionalOperator transaction;

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    private static String alices;
    private static final String ALL_USERS = "(all users)";

    @BeforeEach
    void twoUsersWithAConnectionEach() {
        Api api = new Api(web, infrastructure.clerk());
        WebTestClient alice = api.as("user_rls_alice");
        WebTestClient bob = api.as("user_rls_bob");
        if (alices == null) {
            alices = (String) connect(alice, "NA").get("id");
            connect(bob, "EU");
        }
    }

    @Test
    void aQueryWithoutItsUserFilterSeesOnlyTheScopedUsersRows() {
        List<String> owners = db.sql("SELECT user_id FROM connections WHERE user_id LIKE 'user_rls_%'")
                .map(row -> row.get(0, String.class)).all().collectList()
                .contextWrite(UserScope.of("user_rls_alice")).block();
        assertThat(owners).containsExactly("user_rls_alice");
        for (String table : List.of("connection_tokens", "connection_profiles")) {
            Long visible = db.sql("SELECT count(*) FROM " + table + " t JOIN connections c ON c.id = t.connection_id "
                            + "WHERE c.user_id LIKE 'user_rls_%'")
                    .map(row -> row.get(0, Long.class)).one().contextWrite(UserScope.of("user_rls_alice")).block();
            Long alicesOwn = new Db(infrastructure).count("SELECT count(*) FROM " + table + " t JOIN connections c ON c.id = t.connection_id "
                    + "WHERE c.user_id = 'user_rls_alice'");
            assertThat(visible).as(table).isEqualTo(alicesOwn).isPositive();
        }
        Long auditRows = db.sql("SELECT count(DISTINCT user_id) FROM audit_events WHERE user_id LIKE 'user_rls_%'")
                .map(row -> row.get(0, Long.class)).one().contextWrite(UserScope.of("user_rls_alice")).block();
        assertThat(auditRows).isEqualTo(1);
    }

    @Test
    void anUpdateOrDeleteWithoutItsUserFilterChangesOnlyTheScopedUsersRows() {
        Db direct = new Db(infrastructure);
        String bobsBefore = direct.string("SELECT string_agg(id || ':' || status || ':' || updated_at, ',') FROM connections WHERE user_id = 'user_rls_bob'");
        Long updated = db.sql("UPDATE connections SET updated_at = updated_at WHERE user_id LIKE 'user_rls_%'")
                .fetch().rowsUpdated().contextWrite(UserScope.of("user_rls_alice")).block();
        assertThat(updated).as("Alice's one connection").isEqualTo(1);
        // a forgotten filter in a transaction deletes nothing of Bob's either (and is rolled back here)
        Long deleted = transaction.execute(status -> {
                    status.setRollbackOnly();
                    return db.sql("DELETE FROM oauth_states").fetch().rowsUpdated()
                            .then(db.sql("DELETE FROM connection_profiles").fetch().rowsUpdated());
                })
                .single().contextWrite(UserScope.of("user_rls_alice")).block();
        assertThat(deleted).isEqualTo(direct.count("SELECT count(*) FROM connection_profiles p JOIN connections c ON c.id = p.connection_id "
                + "WHERE c.user_id = 'user_rls_alice'"));
        assertThat(direct.string("SELECT string_agg(id || ':' || status || ':' || updated_at, ',') FROM connections WHERE user_id = 'user_rls_bob'"))
                .isEqualTo(bobsBefore);
    }

    @Test
    void aRowForAnotherUserCannotBeWrittenInAUsersScope() {
        long before = new Db(infrastructure).count("SELECT count(*) FROM audit_events WHERE user_id = 'user_rls_bob'");
        Throwable refused = db.sql("INSERT INTO audit_events (user_id, actor_type, actor_id, action) "
                        + "VALUES ('user_rls_bob', 'USER', 'user_rls_alice', 'preferences.updated')")
                .fetch().rowsUpdated().contextWrite(UserScope.of("user_rls_alice"))
                .then(Mono.<Throwable>empty()).onErrorResume(Mono::just).block();
        assertThat(refused).isNotNull().hasStackTraceContaining("row-level security");
        assertThat(new Db(infrastructure).count("SELECT count(*) FROM audit_events WHERE user_id = 'user_rls_bob'")).isEqualTo(before);
    }

    /**
     * A pooled connection keeps the scope it was last given and is re-scoped only when the next
     * acquisition wants another: many acquisitions in alternating scopes, concurrently, each see
     * exactly their own scope and rows, whatever connection the pool hands them.
     */
    @Test
    void aConnectionReusedAcrossScopesAlwaysCarriesTheScopeOfItsAcquisition() {
        List<String> scopes = java.util.stream.IntStream.range(0, 300)
                .mapToObj(i -> switch (i % 3) {
                    case 0 -> "user_rls_alice";
                    case 1 -> "user_rls_bob";
                    default -> ALL_USERS;
                })
                .toList();
        List<String> seen = reactor.core.publisher.Flux.fromIterable(scopes)
                .flatMapSequential(scope -> {
                    Mono<String> query = db.sql("SELECT current_setting('ads_connect.user_id') || '|' "
                                    + "|| (SELECT count(DISTINCT user_id) FROM connections WHERE user_id LIKE 'user_rls_%')")
                            .map(row -> row.get(0, String.class)).one();
                    return scope.equals(ALL_USERS) ? query : query.contextWrite(UserScope.of(scope));
                }, 16)
                .collectList().block();
        for (int i = 0; i < scopes.size(); i++) {
            String expected = scopes.get(i).equals(ALL_USERS) ? "|2" : scopes.get(i) + "|1";
            assertThat(seen.get(i)).as("acquisition " + i).isEqualTo(expected);
        }
    }

    @Test
    void workOutsideAUserScopeSeesEveryoneAndARoleSessionWithoutScopeSeesNothing() {
        Long all = db.sql("SELECT count(DISTINCT user_id) FROM connections WHERE user_id LIKE 'user_rls_%'")
                .map(row -> row.get(0, Long.class)).one().block();
        assertThat(all).isEqualTo(2);
        // the application's role in a session that set no scope (a forgotten scope, a tool connecting as the role)
        try (var session = new Db(infrastructure).hold()) {
            session.execute("SET LOCAL ROLE ads_connect_app");
            assertThat(session.text("SELECT count(*)::text FROM connections")).isEqualTo("0");
            assertThat(session.text("SELECT count(*)::text FROM users")).isEqualTo("0");
        }
    }
}
