package com.adsconnect.account.support;

import com.adsconnect.devinfra.postgres.HeldTransaction;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Plain JDBC against the test class's database, to check what was (not) written. */
public final class Db {

    private final TestInfrastructureHandle infrastructure;

    public Db(TestInfrastructureHandle infrastructure) {
        this.infrastructure = infrastructure;
    }

    public long count(String sql, Object... args) {
        return query(sql, args, rows -> rows.next() ? rows.getLong(1) : 0L);
    }

    public String string(String sql, Object... args) {
        return query(sql, args, rows -> rows.next() ? rows.getString(1) : null);
    }

    public void execute(String sql, Object... args) {
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql, args)) {
            statement.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** A transaction the test holds open, to commit it at a moment of its choosing. */
    public HeldTransaction hold() {
        try {
            return HeldTransaction.begin(connect());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open a transaction", e);
        }
    }

    /** Whether a statement of this database matching {@code queryLike} is waiting for a row lock. */
    public boolean waitsForLock(String queryLike) {
        return count("""
                SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ?""", queryLike) > 0;
    }

    /** Counts of every table a request could have touched, to prove a refused request changed nothing. */
    public String snapshot() {
        return "users=" + count("SELECT count(*) FROM users")
                + " preferences=" + count("SELECT count(*) FROM user_preferences")
                + " history=" + count("SELECT count(*) FROM user_preference_history")
                + " audit=" + count("SELECT count(*) FROM audit_events")
                + " webhooks=" + count("SELECT count(*) FROM processed_webhooks")
                + " usersVersion=" + count("SELECT coalesce(sum(version), 0) FROM users");
    }

    private interface RowsReader<T> {
        T read(ResultSet rows) throws SQLException;
    }

    private <T> T query(String sql, Object[] args, RowsReader<T> reader) {
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql, args);
                ResultSet rows = statement.executeQuery()) {
            return reader.read(rows);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private Connection connect() throws SQLException {
        var server = infrastructure.postgres();
        return DriverManager.getConnection(infrastructure.jdbcUrl(), server.username(), server.password());
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object[] args) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            statement.setObject(i + 1, args[i]);
        }
        return statement;
    }
}
