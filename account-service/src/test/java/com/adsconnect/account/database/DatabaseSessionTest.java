package com.adsconnect.account.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.r2dbc.BadSqlGrammarException;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Every pooled session carries PostgreSQL's statement and lock timeouts from the configuration; the
 * stores are called directly, and a failing statement still reaches them as Spring's exception.
 */
@AccountServiceTest
class DatabaseSessionTest {

    @Autowired
    DatabaseClient db;

    @Autowired
    ApplicationContext context;

    @Test
    void theStoresAreNotProxiedAndDatabaseErrorsStillArriveTranslated() {
        var stores = context.getBeansWithAnnotation(Repository.class);
        assertThat(stores).containsKeys("connectionStore", "userStore", "preferencesStore");
        assertThat(stores.values()).allSatisfy(store -> assertThat(AopUtils.isAopProxy(store)).as(store.getClass().getName()).isFalse());
        // what exception translation would have given: DatabaseClient translates in the reactive flow itself
        StepVerifier.create(db.sql("SELECT no_such_column FROM connections").fetch().first())
                .expectError(BadSqlGrammarException.class)
                .verify();
    }

    @Test
    void everySessionHasTheConfiguredTimeouts() {
        // both in one session: a pooled connection as the application gets it
        String settings = db.inConnection(connection -> Mono.from(connection.createStatement(
                        "SELECT current_setting('statement_timeout') || '|' || current_setting('lock_timeout')").execute())
                .flatMap(result -> Mono.from(result.map((row, meta) -> row.get(0, String.class)))))
                .block();
        assertThat(settings).isEqualTo("1min|10s");
    }
}
