package com.adsconnect.devinfra.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Where a PostgreSQL server listens and how to log in to it, plus the few administrative
 * statements the local run and the tests need (creating and dropping databases).
 */
public record PostgresServer(String host, int port, String username, String password) {

    private static final Pattern SAFE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String r2dbcUrl(String database) {
        return "r2dbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** The same server reached through another host and port, for example a fault-injecting proxy. */
    public PostgresServer via(String otherHost, int otherPort) {
        return new PostgresServer(otherHost, otherPort, username, password);
    }

    /** Whether the server accepts a login on its maintenance database. */
    public boolean isReachable() {
        try (Connection ignored = connect("postgres", 2)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Creates the database unless it exists. Names are restricted to safe identifiers. */
    public void ensureDatabase(String database) {
        requireSafeName(database);
        try (Connection connection = connect("postgres", 10);
                PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + database);
            }
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) {
                return; // created concurrently by someone else
            }
            throw new IllegalStateException("cannot create database " + database + " on " + host + ":" + port, e);
        }
    }

    /** Names of the databases matching a SQL LIKE pattern. */
    public List<String> listDatabases(String likePattern) {
        try (Connection connection = connect("postgres", 10);
                PreparedStatement query = connection.prepareStatement("SELECT datname FROM pg_database WHERE datname LIKE ?")) {
            query.setString(1, likePattern);
            List<String> names = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return names;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list databases on " + host + ":" + port, e);
        }
    }

    /** Drops the database, disconnecting anyone still using it. */
    public void dropDatabase(String database) {
        requireSafeName(database);
        try (Connection connection = connect("postgres", 10); Statement drop = connection.createStatement()) {
            drop.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop database " + database, e);
        }
    }

    private Connection connect(String database, int timeoutSeconds) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", username);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", String.valueOf(timeoutSeconds));
        props.setProperty("loginTimeout", String.valueOf(timeoutSeconds));
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    private static void requireSafeName(String database) {
        if (!SAFE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("unsafe database name: " + database);
        }
    }
}
