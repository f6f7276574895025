package com.adsconnect.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Remembers the pids of the services a run started, so that a run killed without a chance to
 * clean up (kill -9, a closed terminal) does not leave services holding the ports next time.
 */
final class StaleProcesses {

    private final Path pidFile;

    StaleProcesses(Path workDir) {
        this.pidFile = workDir.resolve("services.pids");
    }

    /** Stops services left over from an earlier run that did not shut down. */
    void stopLeftovers() {
        if (!Files.exists(pidFile)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(pidFile)) {
                if (line.isBlank()) {
                    continue;
                }
                ProcessHandle.of(Long.parseLong(line.trim()))
                        .filter(p -> p.info().commandLine().map(c -> c.contains("-jar")).orElse(false))
                        .ifPresent(StaleProcesses::terminate);
            }
            Files.delete(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pidFile, e);
        }
    }

    void remember(List<Long> pids) {
        try {
            Files.createDirectories(pidFile.getParent());
            Files.write(pidFile, pids.stream().map(String::valueOf).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + pidFile, e);
        }
    }

    void forget() {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // a stale file only costs a check on the next start
        }
    }

    private static void terminate(ProcessHandle process) {
        process.destroy();
        try {
            process.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
        }
    }
}
