package com.adsconnect.testsupport;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.google.SandboxGoogle;
import com.adsconnect.devinfra.mail.SandboxMail;
import com.adsconnect.devinfra.slack.SandboxSlack;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoft;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.devinfra.net.TcpProxy;
import com.adsconnect.devinfra.postgres.PostgresServer;
import java.util.Optional;

/**
 * What a test class was given by {@link RealInfrastructure}, as a bean in its Spring context:
 * its own database, and the means to make dependencies unreachable and reachable again.
 */
public final class TestInfrastructureHandle {

    private final PostgresServer postgres;
    private final String databaseName;
    private final TcpProxy postgresProxy;

    TestInfrastructureHandle(PostgresServer postgres, String databaseName, TcpProxy postgresProxy) {
        this.postgres = postgres;
        this.databaseName = databaseName;
        this.postgresProxy = postgresProxy;
    }

    /** The server holding this class's database, reached directly (not through the proxy). */
    public PostgresServer postgres() {
        return postgres;
    }

    public String databaseName() {
        return databaseName;
    }

    /** JDBC URL of this class's database, for assertions straight against the tables. */
    public String jdbcUrl() {
        return postgres.jdbcUrl(databaseName);
    }

    /** Cuts the application's database connections (needs {@code postgresProxy = true}). */
    public void cutPostgres() {
        proxy().cut();
    }

    public void restorePostgres() {
        proxy().restore();
    }

    public SandboxAmazon amazon() {
        return TestInfrastructure.amazon();
    }

    public SandboxGoogle google() {
        return TestInfrastructure.google();
    }

    public SandboxMicrosoft microsoft() {
        return TestInfrastructure.microsoft();
    }

    public SandboxMail mail() {
        return TestInfrastructure.mail();
    }

    public SandboxSlack slack() {
        return TestInfrastructure.slack();
    }

    public SandboxClerk clerk() {
        return TestInfrastructure.clerk();
    }

    public KafkaEndpoint kafka() {
        return TestInfrastructure.kafka();
    }

    private TcpProxy proxy() {
        return Optional.ofNullable(postgresProxy).orElseThrow(() -> new IllegalStateException(
                "this test class did not ask for @RealInfrastructure(postgresProxy = true)"));
    }
}
