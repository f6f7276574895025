package com.adsconnect.testsupport;

import com.adsconnect.devinfra.postgres.PostgresServer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test class's database is dropped when its context closes; a context that failed to start, or
 * a JVM that was killed, leaves its database behind. The creator's pid is part of the name, so the
 * next test JVM drops databases whose creator no longer runs.
 */
final class LeftoverDatabases {

    private static final Logger log = LoggerFactory.getLogger(LeftoverDatabases.class);
    private static final Pattern TEST_DATABASE = Pattern.compile("t_[a-z0-9_]+_(\\d+)_[a-z0-9]+");

    private LeftoverDatabases() {
    }

    static void dropThoseOfDeadTestJvms(PostgresServer server) {
        for (String database : server.listDatabases("t\\_%")) {
            Matcher matcher = TEST_DATABASE.matcher(database);
            if (!matcher.matches()) {
                continue;
            }
            long creator = Long.parseLong(matcher.group(1));
            if (ProcessHandle.of(creator).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            try {
                server.dropDatabase(database);
                log.info("dropped {} left by test JVM {}", database, creator);
            } catch (IllegalStateException e) {
                log.warn("could not drop leftover test database {}: {}", database, e.getMessage());
            }
        }
    }
}
