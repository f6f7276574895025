package com.adsconnect.logging;

import org.apache.commons.logging.Log;

/** A Commons Logging {@link Log} that passes a message on only when its level is enabled (see {@link LevelCheckedLogFactory}). */
final class LevelCheckedLog implements Log {

    private final Log delegate;

    LevelCheckedLog(Log delegate) {
        this.delegate = delegate;
    }

    @Override
    public boolean isTraceEnabled() {
        return delegate.isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
        return delegate.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
        return delegate.isInfoEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
        return delegate.isWarnEnabled();
    }

    @Override
    public boolean isErrorEnabled() {
        return delegate.isErrorEnabled();
    }

    @Override
    public boolean isFatalEnabled() {
        return delegate.isFatalEnabled();
    }

    @Override
    public void trace(Object message) {
        if (delegate.isTraceEnabled()) {
            delegate.trace(message);
        }
    }

    @Override
    public void trace(Object message, Throwable error) {
        if (delegate.isTraceEnabled()) {
            delegate.trace(message, error);
        }
    }

    @Override
    public void debug(Object message) {
        if (delegate.isDebugEnabled()) {
            delegate.debug(message);
        }
    }

    @Override
    public void debug(Object message, Throwable error) {
        if (delegate.isDebugEnabled()) {
            delegate.debug(message, error);
        }
    }

    @Override
    public void info(Object message) {
        if (delegate.isInfoEnabled()) {
            delegate.info(message);
        }
    }

    @Override
    public void info(Object message, Throwable error) {
        if (delegate.isInfoEnabled()) {
            delegate.info(message, error);
        }
    }

    @Override
    public void warn(Object message) {
        if (delegate.isWarnEnabled()) {
            delegate.warn(message);
        }
    }

    @Override
    public void warn(Object message, Throwable error) {
        if (delegate.isWarnEnabled()) {
            delegate.warn(message, error);
        }
    }

    @Override
    public void error(Object message) {
        if (delegate.isErrorEnabled()) {
            delegate.error(message);
        }
    }

    @Override
    public void error(Object message, Throwable error) {
        if (delegate.isErrorEnabled()) {
            delegate.error(message, error);
        }
    }

    @Override
    public void fatal(Object message) {
        if (delegate.isFatalEnabled()) {
            delegate.fatal(message);
        }
    }

    @Override
    public void fatal(Object message, Throwable error) {
        if (delegate.isFatalEnabled()) {
            delegate.fatal(message, error);
        }
    }
}
