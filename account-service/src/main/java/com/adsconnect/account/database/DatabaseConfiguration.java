package com.adsconnect.account.database;

import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    /** Sets {@code statement_timeout} and {@code lock_timeout} on every connection the pool opens. */
    @Bean
    ConnectionFactoryOptionsBuilderCustomizer postgresTimeouts(DatabaseTimeouts timeouts) {
        return builder -> builder
                .option(PostgresqlConnectionFactoryProvider.STATEMENT_TIMEOUT, timeouts.statementTimeout())
                .option(PostgresqlConnectionFactoryProvider.LOCK_WAIT_TIMEOUT, timeouts.lockTimeout());
    }
}
