package com.adsconnect.account.database;

import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import io.r2dbc.spi.ConnectionFactory;
import java.time.Duration;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.r2dbc.autoconfigure.ConnectionFactoryOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    /** Sets {@code statement_timeout}, {@code lock_timeout} and the result format on every connection the pool opens. */
    @Bean
    ConnectionFactoryOptionsBuilderCustomizer postgresSession(DatabaseSession session) {
        return builder -> builder
                .option(PostgresqlConnectionFactoryProvider.STATEMENT_TIMEOUT, session.statementTimeout())
                .option(PostgresqlConnectionFactoryProvider.LOCK_WAIT_TIMEOUT, session.lockTimeout())
                .option(PostgresqlConnectionFactoryProvider.FORCE_BINARY, session.binaryResults());
    }

    /**
     * Every connection the application gets is scoped for row-level security unless that is switched
     * off, and checked unless it was a moment ago ({@link ScopedConnectionFactory}). Static
     * and bound from the environment: a post-processor is created before the properties beans.
     */
    @Bean
    static BeanPostProcessor rowLevelSecurity(Environment environment) {
        Binder binder = Binder.get(environment);
        boolean enabled = binder.bind("database.row-level-security.enabled", Boolean.class).orElse(true);
        Duration aliveBypassWindow = binder.bind("database.alive-bypass-window", Duration.class).orElse(ScopedConnectionFactory.ALIVE_BYPASS_WINDOW);
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                return bean instanceof ConnectionFactory pool && !(bean instanceof ScopedConnectionFactory)
                        ? new ScopedConnectionFactory(pool, enabled, aliveBypassWindow, System::nanoTime) : bean;
            }
        };
    }
}
