package com.adsconnect.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LevelCheckedLogFactoryTest {

    private static final String NAME = "com.adsconnect.logging.test.RequestPath";

    private final Logger backend = (Logger) LoggerFactory.getLogger(NAME);
    private final ListAppender<ILoggingEvent> appended = new ListAppender<>();

    /** A lazily built message, as Spring's {@code LogMessage}: counts how often it is turned into text. */
    private static final class CountingMessage {
        final AtomicInteger rendered = new AtomicInteger();

        @Override
        public String toString() {
            rendered.incrementAndGet();
            return "matched /api/**";
        }
    }

    @BeforeEach
    void captureAtInfo() {
        appended.start();
        backend.addAppender(appended);
        backend.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        backend.detachAppender(appended);
        backend.setLevel(null);
    }

    @Test
    void commonsLoggingFindsThisFactory() {
        assertThat(LogFactory.getFactory()).isInstanceOf(LevelCheckedLogFactory.class);
        assertThat(LogFactory.getLog(NAME)).isInstanceOf(LevelCheckedLog.class);
    }

    @Test
    void aMessageForALevelThatIsOffIsNeverRendered() {
        Log log = LogFactory.getLog(NAME);
        CountingMessage message = new CountingMessage();
        log.trace(message);
        log.debug(message);
        log.debug(message, new IllegalStateException("not logged"));
        assertThat(message.rendered).hasValue(0);
        assertThat(appended.list).isEmpty();
    }

    @Test
    void aMessageForALevelThatIsOnReachesSlf4jAsBefore() {
        Log log = LogFactory.getLog(NAME);
        CountingMessage message = new CountingMessage();
        IllegalStateException failure = new IllegalStateException("the cause");
        log.info(message);
        log.warn(message, failure);
        assertThat(message.rendered).hasValue(2);
        assertThat(appended.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.INFO, Level.WARN);
        assertThat(appended.list).extracting(ILoggingEvent::getFormattedMessage).containsOnly("matched /api/**");
        assertThat(appended.list.get(1).getThrowableProxy().getMessage()).isEqualTo("the cause");
        // the logger's name is the one asked for, so per-package levels apply as configured
        assertThat(appended.list).extracting(ILoggingEvent::getLoggerName).containsOnly(NAME);
    }

    @Test
    void turningDebugOnAtRunTimeIsHonouredAtOnce() {
        Log log = LogFactory.getLog(NAME);
        CountingMessage message = new CountingMessage();
        log.debug(message);
        backend.setLevel(Level.DEBUG);
        log.debug(message);
        assertThat(message.rendered).hasValue(1);
        assertThat(appended.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.DEBUG);
    }
}
