package com.adsconnect.devinfra.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A JDBC transaction a test holds open, to commit it at a moment of its choosing: the late
 * commit, or the lock held meanwhile, that an interleaving needs. Rolled back on close unless
 * committed. Arguments bind to the statement's {@code ?}s in order.
 */
public final class HeldTransaction implements AutoCloseable {

    private final Connection connection;

    private HeldTransaction(Connection connection) {
        this.connection = connection;
    }

    /** Begins a transaction on the connection, which the held transaction closes. */
    public static HeldTransaction begin(Connection connection) {
        try {
            connection.setAutoCommit(false);
            return new HeldTransaction(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot begin a transaction", e);
        }
    }

    public HeldTransaction execute(String sql, Object... args) {
        try (PreparedStatement statement = prepare(sql, args)) {
            statement.execute();
            return this;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** The first column of the first row, as a string; null when there is no row. */
    public String text(String sql, Object... args) {
        try (PreparedStatement statement = prepare(sql, args); ResultSet rows = statement.executeQuery()) {
            return rows.next() ? rows.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    public void commit() {
        try {
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("commit failed", e);
        }
    }

    @Override
    public void close() {
        try (connection) {
            connection.rollback();
        } catch (SQLException e) {
            throw new IllegalStateException("close failed", e);
        }
    }

    private PreparedStatement prepare(String sql, Object[] args) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            statement.setObject(i + 1, args[i]);
        }
        return statement;
    }
}
