package com.adsconnect.account.tracing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A {@code @Scheduled} method that runs so often, and whose work belongs to other traces, that a
 * trace (and timer) per run would only be noise: the outbox relay every 200 ms (each event it
 * publishes continues the trace of the work that wrote it), the token access audit's flush every
 * second.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
public @interface Untraced {
}
