package com.adsconnect.benchmarks;

import com.adsconnect.local.LocalStack;
import com.adsconnect.local.LocalStackSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * What PostgreSQL row-level security costs: {@code GET /api/v1/me} (a user's scope) and
 * {@code POST /internal/v1/tokens} (the all-users scope) straight to account-service, once with
 * {@code database.row-level-security.enabled=false} (the baseline) and once with it on, each on a
 * freshly started system in the same run, then once more off, so drift shows.
 *
 * <p>Run with {@code ./mvnw -Pbenchmark -Dbenchmark=rls}; writes {@code docs/benchmarks/row-level-security.md}.
 */
final class RowLevelSecurityBenchmark {

    private static final int[] CONCURRENCY = {8, 32};
    private static final int USERS = 50;

    static void run() throws Exception {
        Map<String, List<LoadRunner.Result>> byMode = new LinkedHashMap<>();
        byMode.put("off", measure(false));
        byMode.put("on", measure(true));
        byMode.put("off again", measure(false));
        report(byMode);
    }

    private static List<LoadRunner.Result> measure(boolean rls) throws Exception {
        LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment()
                .withExtraArguments(LocalStackSettings.ACCOUNT_SERVICE, "--database.row-level-security.enabled=" + rls));
        Thread stopper = new Thread(stack::stop);
        Runtime.getRuntime().addShutdownHook(stopper);
        stack.start();
        try {
            List<String> sessions = new ArrayList<>();
            List<String> tokenBodies = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                String user = "user_rls_bench_" + i;
                String connection = stack.connectDemoAccount(user, i % 2 == 0 ? "NA" : "EU");
                tokenBodies.add("{\"userId\":\"" + user + "\",\"connectionId\":\"" + connection + "\"}");
                sessions.add(stack.clerk().sessionToken(user));
            }
            HttpClient client = HttpClient.create(ConnectionProvider.builder("bench-rls").maxConnections(256)
                    .pendingAcquireMaxCount(10_000).build()).baseUrl(stack.accountServiceUrl());
            List<LoadRunner.Result> results = new ArrayList<>();
            for (int concurrency : CONCURRENCY) {
                results.add(LoadRunner.run("GET /api/v1/me", concurrency,
                        i -> client.headers(h -> h.set("Authorization", "Bearer " + sessions.get((int) (i % sessions.size()))))
                                .get().uri("/api/v1/me").responseSingle((r, b) -> b.then(Mono.just(r.status().code())))));
                results.add(LoadRunner.run("POST /internal/v1/tokens", concurrency,
                        i -> client.headers(h -> h.set("X-Api-Key", stack.readerApiKey()).set("Content-Type", "application/json"))
                                .post().uri("/internal/v1/tokens")
                                .send(ByteBufFlux.fromString(Mono.just(tokenBodies.get((int) (i % tokenBodies.size())))))
                                .responseSingle((r, b) -> b.then(Mono.just(r.status().code())))));
            }
            return results;
        } finally {
            stack.stop();
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
    }

    private static void report(Map<String, List<LoadRunner.Result>> byMode) throws IOException {
        List<LoadRunner.Result> off = byMode.get("off");
        List<LoadRunner.Result> on = byMode.get("on");
        List<LoadRunner.Result> again = byMode.get("off again");
        StringBuilder md = Reports.header("the cost of row-level security", "rls", RowLevelSecurityBenchmark.class)
                .append("account-service straight (no gateway), started three times in this run: row-level security off ")
                .append("(baseline), on, off again. Load generator, services, PostgreSQL and Kafka share the machine. ")
                .append(USERS).append(" users with a connection each, ").append(LoadRunner.MEASURE.toSeconds())
                .append(" s per cell after ").append(LoadRunner.WARMUP.toSeconds()).append(" s warm-up.\n\n")
                .append("| request | concurrency | off req/s | on req/s | off again req/s | on / mean(off) | p99 off / on ms | errors |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < on.size(); i++) {
            double baseline = (off.get(i).throughput() + again.get(i).throughput()) / 2;
            md.append(String.format(Locale.ROOT, "| `%s` | %d | %.0f | %.0f | %.0f | %.3f | %.2f / %.2f | %d |%n",
                    on.get(i).name(), on.get(i).concurrency(), off.get(i).throughput(), on.get(i).throughput(), again.get(i).throughput(),
                    on.get(i).throughput() / baseline, off.get(i).p99Millis(), on.get(i).p99Millis(),
                    off.get(i).errors() + on.get(i).errors() + again.get(i).errors()));
        }
        Reports.write("benchmark.report.rls", "target/row-level-security.md", md);
    }
}
