package com.adsconnect.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time per process from {@code /proc/<pid>/stat} (user + system clock ticks), so a benchmark
 * can say which process used the machine while it ran. Linux only; elsewhere it reports nothing.
 */
final class CpuAccounting {

    static final String POSTGRES = "postgres (all backends)";
    private static final double TICKS_PER_SECOND = 100.0;

    private CpuAccounting() {
    }

    /** CPU seconds used so far by each named process; "postgres" sums every PostgreSQL process. */
    static Map<String, Double> snapshot(Map<String, Long> pids) {
        Map<String, List<Long>> groups = new LinkedHashMap<>();
        pids.forEach((name, pid) -> groups.put(name, List.of(pid)));
        return snapshotGroups(groups);
    }

    /** As {@link #snapshot}, each name summing a group of processes (nginx's master and workers). */
    static Map<String, Double> snapshotGroups(Map<String, List<Long>> pids) {
        Map<String, Double> seconds = new LinkedHashMap<>();
        pids.forEach((name, group) -> seconds.put(name, group.stream().mapToDouble(CpuAccounting::cpuSeconds).sum()));
        seconds.put(POSTGRES, postgresSeconds());
        return seconds;
    }

    private static double postgresSeconds() {
        double total = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if ("postgres".equals(Files.readString(process.resolve("comm")).strip())) {
                        total += cpuSeconds(Long.parseLong(process.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException noProc) {
            return 0;
        }
        return total;
    }

    private static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after the command: state is [0], utime is [11], stime is [12]
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
