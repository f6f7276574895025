package com.adsconnect.account.database;

import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import io.r2dbc.spi.ConnectionFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    /** Sets {@code statement_timeout} and {@code lock_timeout} on every connection the pool opens. */
    @Bean
    ConnectionFactoryOptionsBuilderCustomizer postgresTimeouts(DatabaseTimeouts timeouts) {
        return builder -> builder
                .option(PostgresqlConnectionFactoryProvider.STATEMENT_TIMEOUT, timeouts.statementTimeout())
                .option(PostgresqlConnectionFactoryProvider.LOCK_WAIT_TIMEOUT, timeouts.lockTimeout());
    }

    /**
     * Every connection the application gets is checked with one statement, which also scopes it
     * for row-level security ({@link ScopedConnectionFactory}) unless that is switched off. Static
     * and bound from the environment: a post-processor is created before the properties beans.
     */
    @Bean
    static BeanPostProcessor rowLevelSecurity(Environment environment) {
        boolean enabled = Binder.get(environment).bind("database.row-level-security.enabled", Boolean.class).orElse(true);
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof ConnectionFactory pool && !(bean instanceof ScopedConnectionFactory)
                        ? new ScopedConnectionFactory(pool, enabled) : bean;
            }
        };
    }
}
