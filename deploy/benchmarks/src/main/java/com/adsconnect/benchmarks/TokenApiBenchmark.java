package com.adsconnect.benchmarks;

import com.adsconnect.local.LocalStack;
import com.adsconnect.local.LocalStackSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Throughput and latency of {@code POST /internal/v1/tokens} (API key check, a PostgreSQL read or
 * the read cache's entry, an AES-GCM decryption) at several concurrency levels, each next to a baseline measured in the
 * same run against the same server: {@code GET /actuator/health/liveness}, which touches neither
 * the database nor the vault. Results are ratios to that baseline, so they say what the token path
 * costs on whatever machine runs this, not how fast that machine is.
 *
 * <p>Run with {@code ./mvnw -Pbenchmark -Dbenchmark=tokens}; writes {@code docs/benchmarks/token-api.md}. With
 * {@code -Dtoken-vault.read-cache.enabled=false} added to {@code -Dbenchmark.service-jvm-options}, every
 * token is read from PostgreSQL, as before the cache.
 */
final class TokenApiBenchmark {

    /** The cells: {@code -Dbenchmark.tokens.concurrency=8} runs one (for a profile). */
    private static final int[] CONCURRENCY = Benchmarks.concurrency("benchmark.tokens.concurrency", 1, 8, 32, 128);
    private static final int CONNECTIONS = 50;
    private static final String BACKEND = "account-service";
    private static final String DRIVER = "benchmark JVM";
    /** account-service's read cache counters in its Prometheus output. */
    private static final Pattern CACHE_COUNTER = Pattern.compile("token_read_cache_total\\{.*result=\"(hit|miss|bypass)\".*} ([0-9.eE+]+)");
    private static final Duration WARMUP_ALL = Duration.ofSeconds(Long.getLong("benchmark.warmup-all-seconds", 30));

    static void run() throws Exception {
        LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment());
        Runtime.getRuntime().addShutdownHook(new Thread(stack::stop));
        stack.start();
        try {
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                String user = "user_bench_" + i;
                String connection = stack.connectDemoAccount(user, i % 2 == 0 ? "NA" : "EU");
                bodies.add("{\"userId\":\"" + user + "\",\"connectionId\":\"" + connection + "\"}");
            }
            HttpClient client = HttpClient.create(ConnectionProvider.builder("bench").maxConnections(256)
                            .pendingAcquireMaxCount(10_000).build())
                    .baseUrl(stack.accountServiceUrl())
                    .headers(h -> h.set("X-Api-Key", stack.readerApiKey()).set("Content-Type", "application/json"));

            LoadRunner.Call baseline = i -> client.get().uri("/actuator/health/liveness")
                    .responseSingle((r, b) -> b.then(Mono.just(r.status().code())));
            LoadRunner.Call token = i -> client.post().uri("/internal/v1/tokens")
                    .send(ByteBufFlux.fromString(Mono.just(bodies.get((int) (i % bodies.size())))))
                    .responseSingle((r, b) -> b.then(Mono.just(r.status().code())));
            // the first cell must not pay for the JIT
            LoadRunner.warmUp(8, token, WARMUP_ALL);
            LoadRunner.warmUp(8, baseline, WARMUP_ALL.dividedBy(3));
            Map<String, Long> pids = new LinkedHashMap<>();
            pids.put(BACKEND, stack.servicePidsByName().get("account-service"));
            pids.put(DRIVER, ProcessHandle.current().pid());
            List<LoadRunner.Result> results = new ArrayList<>();
            for (int concurrency : CONCURRENCY) {
                results.addAll(LoadRunner.interleaved(concurrency, List.of(
                                new LoadRunner.Path("baseline: GET /actuator/health/liveness", baseline),
                                new LoadRunner.Path("POST /internal/v1/tokens", token)),
                        LoadRunner.ROUNDS, LoadRunner.SLICE_WARMUP, LoadRunner.SLICE, () -> CpuAccounting.snapshot(pids)));
            }
            report(results, cacheReads(client));
        } finally {
            stack.stop();
        }
    }

    /**
     * What the token API's read cache did over the whole run, from account-service's
     * {@code token_read_cache_total} counters: reads from memory, from PostgreSQL and kept, and
     * from PostgreSQL without keeping (all zero: the cache is off).
     */
    private static Map<String, Long> cacheReads(HttpClient client) {
        String metrics = client.get().uri("/actuator/prometheus").responseSingle((r, b) -> b.asString()).block(Duration.ofSeconds(30));
        Map<String, Long> reads = new LinkedHashMap<>();
        for (String result : List.of("hit", "miss", "bypass")) {
            reads.put(result, 0L);
        }
        for (String line : metrics == null ? new String[0] : metrics.split("\n")) {
            Matcher counter = CACHE_COUNTER.matcher(line);
            if (counter.matches()) {
                // one series per kind of entry (the connection, its profiles): summed
                reads.merge(counter.group(1), (long) Double.parseDouble(counter.group(2)), Long::sum);
            }
        }
        return reads;
    }

    private static void report(List<LoadRunner.Result> results, Map<String, Long> cacheReads) throws IOException {
        StringBuilder md = Reports.header("POST /internal/v1/tokens", "tokens", TokenApiBenchmark.class)
                .append("Load generator, services, PostgreSQL and Kafka share the machine. ")
                .append(CONNECTIONS).append(" connections. Both paths warmed up first (").append(WARMUP_ALL.toSeconds())
                .append(" s tokens, ").append(WARMUP_ALL.dividedBy(3).toSeconds()).append(" s baseline); then per cell the two paths in alternating slices, ")
                .append(LoadRunner.ROUNDS).append(" rounds of ").append(LoadRunner.SLICE.toSeconds()).append(" s measured after ")
                .append(LoadRunner.SLICE_WARMUP.toSeconds()).append(" s of unmeasured load each, so drift of the machine weighs on both alike.\n\n")
                .append("| concurrency | baseline req/s | tokens req/s | tokens / baseline | tokens p50 ms | tokens p99 ms | baseline p99 ms | errors |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < results.size(); i += 2) {
            LoadRunner.Result baseline = results.get(i);
            LoadRunner.Result tokens = results.get(i + 1);
            md.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %d |%n",
                    tokens.concurrency(), baseline.throughput(), tokens.throughput(), tokens.throughput() / baseline.throughput(),
                    tokens.p50Millis(), tokens.p99Millis(), baseline.p99Millis(), tokens.errors() + baseline.errors()));
        }
        long cacheTotal = cacheReads.values().stream().mapToLong(Long::longValue).sum();
        md.append("\nThe token API's read cache (`token-vault.read-cache`) over the whole run: ")
                .append(cacheTotal == 0 ? "off (`token-vault.read-cache.enabled=false`), every token read from PostgreSQL"
                        : String.format(Locale.ROOT, "%d reads from memory, %d from PostgreSQL and kept, %d from PostgreSQL without keeping (%.2f%% from memory)",
                                cacheReads.get("hit"), cacheReads.get("miss"), cacheReads.get("bypass"), 100.0 * cacheReads.get("hit") / cacheTotal))
                .append(". ").append(CONNECTIONS).append(" connections asked for in turn, so once read each is asked for again; ")
                .append("a caller spreading its reads over more connections than `max-entries` would find few in memory.\n");
        md.append("\nCPU time per request (ms) of each process while a path was measured (`/proc/<pid>/stat`, user + system, summed over ")
                .append("the path's slices and divided by its successful requests). The benchmark JVM also hosts Kafka and the sandboxes; ")
                .append("its share is mostly the load generator's.\n\n");
        Map<String, String> columns = new LinkedHashMap<>();
        columns.put(BACKEND, BACKEND);
        columns.put(CpuAccounting.POSTGRES, "PostgreSQL");
        columns.put(DRIVER, DRIVER);
        Reports.appendCpuTable(md, results, columns, result -> result.name().startsWith("baseline") ? "baseline" : "tokens");
        Reports.write("benchmark.report", "target/token-api.md", md);
    }
}
