package com.adsconnect.local.support;

import com.adsconnect.devinfra.postgres.HeldTransaction;
import com.adsconnect.local.LocalStack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;

/** Reads and nudges the stack's database the way an operator with psql would; never a stand-in for the API. */
public final class StackDb {

    private final LocalStack stack;

    public StackDb(LocalStack stack) {
        this.stack = stack;
    }

    /** The first column of the first row, as a long; {@code args} bind to the {@code ?}s as strings. */
    public long count(String sql, String... args) {
        String value = text(sql, args);
        return value == null ? 0 : Long.parseLong(value);
    }

    public String text(String sql, String... args) {
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql, args);
                ResultSet rows = statement.executeQuery()) {
            return rows.next() ? rows.getString(1) : null;
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** A two-column result as a map from the first column to the second. */
    public Map<String, String> pairs(String sql) {
        Map<String, String> pairs = new HashMap<>();
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                pairs.put(rows.getString(1), rows.getString(2));
            }
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
        return pairs;
    }

    /** The first column of every row. */
    public java.util.List<String> texts(String sql, String... args) {
        java.util.List<String> values = new java.util.ArrayList<>();
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql, args);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
        return values;
    }

    public void execute(String sql, String... args) {
        try (Connection connection = connect(); PreparedStatement statement = prepare(connection, sql, args)) {
            statement.execute();
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** A transaction held open by the test, to commit at a moment of its choosing. */
    public HeldTransaction hold() {
        try {
            return HeldTransaction.begin(connect());
        } catch (Exception e) {
            throw new IllegalStateException("cannot open a transaction", e);
        }
    }

    private Connection connect() throws Exception {
        return DriverManager.getConnection(stack.jdbcUrl(), stack.postgres().username(), stack.postgres().password());
    }

    private static PreparedStatement prepare(Connection connection, String sql, String... args) throws Exception {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            statement.setString(i + 1, args[i]);
        }
        return statement;
    }
}
