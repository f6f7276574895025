package com.adsconnect.account.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Db;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.ValidationDepth;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * What an acquisition sends before the caller's first statement, seen from PostgreSQL's side: the
 * statement a backend ran last ({@code pg_stat_activity.query}) tells whether the acquisition
 * checked or scoped the connection. A pool of one connection, so every acquisition gets the same
 * backend; a clock the test moves, so the alive-bypass window is crossed exactly.
 */
@AccountServiceTest
class ScopedConnectionFactoryTest {

    private static final String PID = "SELECT pg_backend_pid()";

    @Autowired
    TestInfrastructureHandle infrastructure;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private ConnectionPool pool;
    private ScopedConnectionFactory connections;
    private Db db;

    @BeforeEach
    void aPoolOfOneConnection() {
        var postgres = infrastructure.postgres();
        var options = ConnectionFactoryOptions.parse(postgres.r2dbcUrl(infrastructure.databaseName())).mutate()
                .option(ConnectionFactoryOptions.USER, postgres.username())
                .option(ConnectionFactoryOptions.PASSWORD, postgres.password() == null ? "" : postgres.password())
                .build();
        pool = new ConnectionPool(ConnectionPoolConfiguration.builder(ConnectionFactories.get(options))
                .initialSize(1).maxSize(1).maxAcquireTime(Duration.ofSeconds(5)).build());
        connections = new ScopedConnectionFactory(pool, true, ScopedConnectionFactory.ALIVE_BYPASS_WINDOW, nanos::get);
        db = new Db(infrastructure);
    }

    @AfterEach
    void closePool() {
        pool.dispose();
    }

    @Test
    void aConnectionUsedWithinTheWindowIsHandedOutWithoutARoundTripAndCheckedAgainAfterIt() {
        int pid = inScope(null, connection -> single(connection, PID, Integer.class));
        assertThat(lastStatementOf(pid)).isEqualTo(PID);

        // 499 ms after the scoping statement succeeded: the same scope needs nothing
        nanos.addAndGet(Duration.ofMillis(499).toNanos());
        assertThat(this.<String>inScope(null, connection -> lastStatement(pid))).isEqualTo(PID);

        // 500 ms after it: a check first
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(this.<String>inScope(null, connection -> lastStatement(pid))).isEqualTo("SELECT 1");

        // the check vouches for the next 500 ms
        nanos.addAndGet(Duration.ofMillis(100).toNanos());
        assertThat(this.<Integer>inScope(null, connection -> single(connection, PID, Integer.class))).isEqualTo(pid);
        nanos.addAndGet(Duration.ofMillis(100).toNanos());
        assertThat(this.<String>inScope(null, connection -> lastStatement(pid))).isEqualTo(PID);
    }

    @Test
    void anotherScopeIsSetEvenWithinTheWindow() {
        assertThat(this.<String>inScope("user_scf_alice", connection -> single(connection, "SELECT current_setting('ads_connect.user_id')", String.class)))
                .isEqualTo("user_scf_alice");
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(this.<String>inScope("user_scf_bob", connection -> single(connection, "SELECT current_setting('ads_connect.user_id')", String.class)))
                .isEqualTo("user_scf_bob");
        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(this.<String>inScope(null, connection -> single(connection,
                "SELECT current_setting('ads_connect.scope') || '|' || current_setting('ads_connect.user_id')", String.class)))
                .isEqualTo("all|");
    }

    /** The database ends the session between two requests a millisecond apart: the second gets a new, working connection. */
    @Test
    void aConnectionTheDatabaseClosedWithinTheWindowIsNotHandedOut() {
        Connection[] physical = new Connection[1];
        int pid = inScope(null, connection -> {
            physical[0] = ScopedConnectionFactory.physical(connection);
            return single(connection, PID, Integer.class);
        });
        assertThat(db.string("SELECT pg_terminate_backend(" + pid + ")::text")).isEqualTo("true");
        // the driver has seen the session end (a condition, not a pause)
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Boolean.FALSE.equals(Mono.from(physical[0].validate(ValidationDepth.LOCAL)).block()));

        nanos.addAndGet(Duration.ofMillis(1).toNanos());
        int next = inScope(null, connection -> single(connection, PID, Integer.class));
        assertThat(next).isNotEqualTo(pid);
    }

    private <T> T inScope(String user, Function<Connection, Mono<T>> work) {
        Mono<T> used = Mono.usingWhen(connections.create(), work, Connection::close);
        return (user == null ? used : used.contextWrite(UserScope.of(user))).block(Duration.ofSeconds(10));
    }

    private static <T> Mono<T> single(Connection connection, String sql, Class<T> type) {
        return Flux.from(connection.createStatement(sql).execute())
                .flatMap(result -> result.map((row, metadata) -> row.get(0, type)))
                .single();
    }

    /** Read while the connection is held, off the event loop (JDBC blocks). */
    private Mono<String> lastStatement(int pid) {
        return Mono.fromCallable(() -> lastStatementOf(pid)).subscribeOn(Schedulers.boundedElastic());
    }

    private String lastStatementOf(int pid) {
        return db.string("SELECT query FROM pg_stat_activity WHERE pid = " + pid);
    }
}
