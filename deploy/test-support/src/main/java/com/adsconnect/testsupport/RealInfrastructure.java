package com.adsconnect.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Connects a Spring test class to real infrastructure: Testcontainers where a Docker engine is
 * available, otherwise PostgreSQL and Redis on localhost and an in-process KRaft Kafka broker.
 * Nothing is skipped for lack of Docker.
 *
 * <p>Each annotated class gets its own Spring context and, with {@link Infrastructure#POSTGRES},
 * its own freshly created database (dropped when the context closes), so test classes never see
 * each other's rows. The properties set are Spring Boot's ({@code spring.r2dbc.*},
 * {@code spring.flyway.*}, {@code spring.data.redis.*}) and {@code kafka.bootstrap-servers}.
 *
 * <p>A {@link TestInfrastructureHandle} bean in the context lets a test take a dependency away
 * and bring it back (a TCP proxy in front of PostgreSQL when {@link #postgresProxy()} is set, a
 * broker stop and start for Kafka).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface RealInfrastructure {

    Infrastructure[] value() default {Infrastructure.POSTGRES};

    /** Route the class's database connections through a proxy that the test can cut. */
    boolean postgresProxy() default false;
}
