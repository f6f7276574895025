package com.adsconnect.account.apidocs;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The problems an operation answers with beyond those every operation of its kind can give (a
 * missing or invalid session, a malformed body, the gateway's budget, an outage): the API
 * documents list each with its status, {@code type} and an example. Values are
 * {@link DocumentedProblem} constant names, for example {@code "NOT_FOUND"}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ProblemAnswers {

    String[] value();
}
