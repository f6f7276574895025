package com.adsconnect.benchmarks;

import com.adsconnect.local.LocalStack;
import com.adsconnect.local.LocalStackSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Refreshes per second through the whole pipeline (scheduler claim, outbox, Kafka, refresher,
 * lease, Amazon, report) against a sandbox Amazon that answers every token call after 100 ms,
 * with the refresher's quota far above the load. N synthetic connections
 * ({@code -Dbenchmark.connections}, default 20,000) are seeded straight into PostgreSQL, then
 * made due at once. The baseline in the same run is the pipeline's own ceiling, partitions x
 * per-partition concurrency / Amazon latency; the target is 1,000 refreshes/s. CPU is accounted
 * per process and per refresh, so the report says which process holds the rate back.
 *
 * <p>Run with {@code ./mvnw -Pbenchmark -Dbenchmark=refresh}; writes {@code docs/benchmarks/refresh.md}.
 */
final class RefreshBenchmark {

    private static final int CONNECTIONS = Integer.getInteger("benchmark.connections", 20_000);
    private static final Duration AMAZON_LATENCY = Duration.ofMillis(100);
    private static final int PARTITIONS = 32;
    private static final int PER_PARTITION = 8;
    private static final double TARGET = 1000;
    private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(10);

    static void run() throws Exception {
        System.setProperty("local.database", "ads_connect_refresh_benchmark");
        System.setProperty("local.refresher-args", "--amazon.rate-limit.requests-per-second=5000");
        LightTokenEndpoints amazon = new LightTokenEndpoints("sim_", AMAZON_LATENCY);
        System.setProperty("local.refresher-amazon-token-url", amazon.amazonTokenUrl());
        LocalStackSettings settings = LocalStackSettings.fromEnvironment();
        SyntheticConnections.startClean(settings);
        LocalStack stack = new LocalStack(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::stop));
        stack.start();
        try {
            Instant farAway = Instant.now().plus(Duration.ofHours(2));
            SyntheticConnections.seed(stack, CONNECTIONS, "user_refresh_bench_", i -> farAway, null);
            long before = amazon.calls();

            try (Connection db = DriverManager.getConnection(stack.jdbcUrl(), stack.postgres().username(), stack.postgres().password());
                    Statement statement = db.createStatement()) {
                Map<String, Long> pids = new LinkedHashMap<>(stack.servicePidsByName());
                pids.put("benchmark JVM (Kafka broker, Amazon stub, sandboxes, driver)", ProcessHandle.current().pid());
                Map<String, Double> cpuBefore = CpuAccounting.snapshot(pids);
                statement.execute("UPDATE connections SET access_token_expires_at = now() + interval '3 minutes' WHERE user_id LIKE 'user_refresh_bench_%'");
                Instant expired = Instant.now();
                long fresh = 0;
                Instant firstDone = null;
                while (fresh < CONNECTIONS && Duration.between(expired, Instant.now()).compareTo(GIVE_UP_AFTER) < 0) {
                    // the count scans every benchmark row: polled often enough to time the wave, not so often that it loads PostgreSQL
                    Thread.sleep(250);
                    try (ResultSet rows = statement.executeQuery("""
                            SELECT count(*) FROM connections WHERE user_id LIKE 'user_refresh_bench_%'
                            AND access_token_expires_at > now() + interval '50 minutes'""")) {
                        rows.next();
                        fresh = rows.getLong(1);
                    }
                    if (fresh > 0 && firstDone == null) {
                        firstDone = Instant.now();
                    }
                }
                Duration total = Duration.between(expired, Instant.now());
                Map<String, Double> cpuAfter = CpuAccounting.snapshot(pids);
                StringBuilder cpu = new StringBuilder();
                double capacity = Runtime.getRuntime().availableProcessors() * total.toMillis() / 1000.0;
                double used = 0;
                for (var entry : cpuAfter.entrySet()) {
                    double seconds = entry.getValue() - cpuBefore.getOrDefault(entry.getKey(), 0.0);
                    used += seconds;
                    cpu.append(String.format(Locale.ROOT, "| %s | %.1f s | %.0f%% | %.2f ms |%n", entry.getKey(), seconds,
                            100 * seconds / capacity, 1000 * seconds / Math.max(1, fresh)));
                }
                cpu.append(String.format(Locale.ROOT, "| all of the above | %.1f s | %.0f%% | %.2f ms |%n", used, 100 * used / capacity,
                        1000 * used / Math.max(1, fresh)));
                String stages = Stages.fromRefresherMetrics(stack.tokenRefresherUrl());
                Duration pipeline = firstDone == null ? total : Duration.between(firstDone, Instant.now());
                long amazonCalls = amazon.calls() - before;
                double rate = fresh / (double) Math.max(1, pipeline.toMillis()) * 1000;
                double ceiling = PARTITIONS * PER_PARTITION / (AMAZON_LATENCY.toMillis() / 1000.0);
                String report = String.format(Locale.ROOT, """
                        # Benchmark: refreshes per second through the whole pipeline

                        Generated by `./mvnw -Pbenchmark -Dbenchmark=refresh -Dbenchmark.connections=%d` (RefreshBenchmark) on %s, %d cores, %s %s.
                        account-service, token-refresher, the gateway, PostgreSQL, Kafka, the sandbox Amazon and this driver share the machine
                        (instances of gateway, account-service, refresher: %s).
                        %d synthetic connections seeded into PostgreSQL, then made due at once. Amazon's token endpoint is a light stub
                        with Amazon's wire format (LightTokenEndpoints, in this JVM) that answers every refresh after %d ms;
                        the refresher's quota is 5000/s per region (far above the load).

                        | measure | value |
                        |---|---|
                        | connections refreshed | %d of %d (Amazon refresh calls: %d; refresh tokens used more than once: %d) |
                        | first refresh completed after the tokens were made due | %.1f s (scheduler interval, then outbox, Kafka) |
                        | all refreshed after | %.1f s |
                        | sustained refresh rate (first to last completion) | %.0f refreshes/s |
                        | baseline: the pipeline's ceiling at this Amazon latency, %d partitions x %d per partition / %d ms | %.0f refreshes/s |
                        | ratio to the ceiling | %.2f |
                        | target (issue 13) | %.0f refreshes/s |
                        | ratio to the target | %.2f |
                        | needed for a million hourly tokens | 333 refreshes/s |

                        ## Where the time went

                        CPU used from making the tokens due until the last refresh (%.1f s on %d cores = %.1f CPU seconds available):

                        | process | CPU | share of the machine | CPU per refresh |
                        |---|---:|---:|---:|
                        %s
                        Mean time of each step as the refresher saw it (its own metrics):

                        | step | mean | calls |
                        |---|---:|---:|
                        %s
                        """, CONNECTIONS, Instant.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                        System.getProperty("java.version"), System.getProperty("local.instances", "1,1,1"), CONNECTIONS, AMAZON_LATENCY.toMillis(), fresh, CONNECTIONS, amazonCalls,
                        amazon.refreshTokensUsedTwice(),
                        firstDone == null ? -1.0 : Duration.between(expired, firstDone).toMillis() / 1000.0, total.toMillis() / 1000.0,
                        rate, PARTITIONS, PER_PARTITION, AMAZON_LATENCY.toMillis(), ceiling, rate / ceiling, TARGET, rate / TARGET,
                        total.toMillis() / 1000.0, Runtime.getRuntime().availableProcessors(), capacity, cpu, stages);
                Path target = Path.of(System.getProperty("benchmark.report.refresh", "docs/benchmarks/refresh.md"));
                String instances = System.getProperty("local.instances", "1,1,1");
                if (!instances.equals("1,1,1")) {
                    // a scale-out run keeps the one-instance report
                    target = target.resolveSibling("refresh-instances-" + instances.replace(',', '-') + ".md");
                }
                Files.createDirectories(target.toAbsolutePath().getParent());
                Files.writeString(target, report, StandardCharsets.UTF_8);
                System.out.println(report);
            }
        } finally {
            stack.stop();
            amazon.close();
        }
    }

}
