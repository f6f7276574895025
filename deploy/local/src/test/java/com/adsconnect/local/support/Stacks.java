package com.adsconnect.local.support;

import com.adsconnect.devinfra.postgres.PostgresLocator;
import com.adsconnect.local.LocalStackSettings;
import java.nio.file.Path;

/** Settings for a system suite: the packaged jars, free ports, and its own freshly dropped database. */
public final class Stacks {

    private Stacks() {
    }

    public static LocalStackSettings forSuite(String name) {
        String database = name.replace('-', '_');
        // a fresh database per run, so that rows of an earlier run cannot make this one pass
        PostgresLocator.findRunning().ifPresent(postgres -> postgres.dropDatabase(database));
        return LocalStackSettings.onFreePorts(Path.of(System.getProperty("java.io.tmpdir")).resolve(name),
                        jar("account-service"), jar("auth-gateway"), jar("token-refresher"))
                .withDatabase(database);
    }

    private static Path jar(String service) {
        return Path.of(System.getProperty("local.jar." + service));
    }
}
