package com.adsconnect.logging;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.commons.logging.impl.Slf4jLogFactory;

/**
 * Commons Logging's bridge to SLF4J, with the level checked before a message is turned into text.
 *
 * <p>Spring Framework 7 logs through Commons Logging 1.3, whose SLF4J bridge
 * ({@link Slf4jLogFactory}) calls {@code String.valueOf(message)} on every call, before SLF4J
 * checks the level. Spring's and Spring Security's request path logs lazily built messages at
 * DEBUG and TRACE on every request ({@code logger.debug(LogMessage.format(...))}: each matcher
 * tried, each authorization decision), relying on the logger not to build them when DEBUG is off.
 * Through that bridge each was formatted and then dropped: in profiles of the gateway and the token
 * API, 1.5-2% of the request path's CPU. This factory hands out the same bridge's loggers behind a
 * level check, so a message for a level that is off is never rendered; what is logged, and where,
 * is unchanged. Commons Logging finds it through {@code META-INF/services} before its own choice.
 *
 * <p>Spring's own report of the regression (spring-projects/spring-framework#37266) covers its
 * {@code LogAccessor}; Spring Security's direct {@code Log} calls still rendered on Spring Framework
 * 7.0.10 in the profile, and Commons Logging 1.4.0's bridge has the same code as 1.3.6's.
 */
public final class LevelCheckedLogFactory extends LogFactory {

    private final Slf4jLogFactory slf4j = new Slf4jLogFactory();
    private final ConcurrentMap<String, Log> loggers = new ConcurrentHashMap<>();

    @Override
    public Log getInstance(Class<?> clazz) {
        return getInstance(clazz.getName());
    }

    @Override
    public Log getInstance(String name) {
        return loggers.computeIfAbsent(name, key -> new LevelCheckedLog(slf4j.getInstance(key)));
    }

    @Override
    public Object getAttribute(String name) {
        return slf4j.getAttribute(name);
    }

    @Override
    public String[] getAttributeNames() {
        return slf4j.getAttributeNames();
    }

    @Override
    public void removeAttribute(String name) {
        slf4j.removeAttribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        slf4j.setAttribute(name, value);
    }

    @Override
    public void release() {
        loggers.clear();
        slf4j.release();
    }
}
