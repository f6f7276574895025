package com.adsconnect.benchmarks;

import com.adsconnect.local.LocalStack;
import com.adsconnect.local.LocalStackSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * What one account-service setting costs, measured against itself switched off: two account-service
 * instances run side by side on the same database, one with the setting off (the baseline), one
 * with it on, both warmed up alike. Each cell alternates short measured slices between them
 * ({@code off, on, on, off, ...}), so JIT warm-up, machine load and database state drift hit both
 * the same; the ratio is the sum of the slices. (Three stacks one after the other measured a drift
 * of 1.8x between two identical baselines on this machine, far more than the effects measured.)
 *
 * <ul>
 *   <li>{@code ./mvnw -Pbenchmark -Dbenchmark=rls}: PostgreSQL row-level security, on
 *       {@code GET /api/v1/me} (a user's scope) and {@code POST /internal/v1/tokens} (the all-users
 *       scope); writes {@code docs/benchmarks/row-level-security.md}</li>
 *   <li>{@code ./mvnw -Pbenchmark -Dbenchmark=token-audit}: the token access audit, on
 *       {@code POST /internal/v1/tokens}; writes {@code docs/benchmarks/token-access-audit.md}</li>
 *   <li>{@code ./mvnw -Pbenchmark -Dbenchmark=alive-bypass}: a pooled connection checked on every
 *       acquisition against one used less than 500 ms ago handed out unchecked, on both requests;
 *       writes {@code docs/benchmarks/alive-bypass.md}</li>
 *   <li>{@code ./mvnw -Pbenchmark -Dbenchmark=binary-results}: result columns in PostgreSQL's binary
 *       format against text, on both requests; writes {@code docs/benchmarks/binary-results.md}</li>
 *   <li>{@code ./mvnw -Pbenchmark -Dbenchmark=gateway-observation} and
 *       {@code -Dbenchmark=gateway-metrics}: two gateways in front of one account-service, on
 *       {@code GET /api/v1/me}; write {@code docs/benchmarks/gateway-observation.md} and
 *       {@code gateway-metrics.md}</li>
 * </ul>
 */
final class SideBySideBenchmark {

    /**
     * A setting to measure: its name, the service whose two instances differ in it, the arguments
     * that turn it off and on, which requests it touches (the gateway routes only the user API),
     * where the report goes.
     */
    record Setting(String name, String slug, String label, String service, String off, String on, boolean me, boolean tokens,
            String reportProperty, String reportFile) {

        boolean gateway() {
            return service.equals(LocalStackSettings.GATEWAY);
        }
    }

    static final Setting ROW_LEVEL_SECURITY = new Setting("row-level security", "rls", "RLS", LocalStackSettings.ACCOUNT_SERVICE,
            "--database.row-level-security.enabled=false", "--database.row-level-security.enabled=true", true, true,
            "benchmark.report.rls", "target/row-level-security.md");
    static final Setting TOKEN_ACCESS_AUDIT = new Setting("the token access audit", "token-audit", "audit", LocalStackSettings.ACCOUNT_SERVICE,
            "--token-access-audit.enabled=false", "--token-access-audit.enabled=true", false, true,
            "benchmark.report.token-audit", "target/token-access-audit.md");
    static final Setting ALIVE_BYPASS = new Setting("handing out a pooled connection used a moment ago without checking it",
            "alive-bypass", "bypass", LocalStackSettings.ACCOUNT_SERVICE, "--database.alive-bypass-window=0ms", "--database.alive-bypass-window=500ms", true, true,
            "benchmark.report.alive-bypass", "target/alive-bypass.md");

    static final Setting BINARY_RESULTS = new Setting("result columns in PostgreSQL's binary format", "binary-results", "binary",
            LocalStackSettings.ACCOUNT_SERVICE, "--database.binary-results=false", "--database.binary-results=true", true, true,
            "benchmark.report.binary-results", "target/binary-results.md");
    static final Setting GATEWAY_OBSERVED_PROXY_CALL = new Setting("the gateway's observed proxy call (a client observation, span and "
            + "timer around each call to the backend, and the trace context written by it)", "gateway-observation", "observed",
            LocalStackSettings.GATEWAY, "--spring.cloud.gateway.server.webflux.observability.enabled=false",
            "--spring.cloud.gateway.server.webflux.observability.enabled=true", true, false,
            "benchmark.report.gateway-observation", "target/gateway-observation.md");
    static final Setting GATEWAY_ROUTE_METRICS = new Setting("the gateway's route metrics (spring_cloud_gateway_requests_seconds)",
            "gateway-metrics", "metrics", LocalStackSettings.GATEWAY, "--spring.cloud.gateway.server.webflux.metrics.enabled=false",
            "--spring.cloud.gateway.server.webflux.metrics.enabled=true", true, false,
            "benchmark.report.gateway-metrics", "target/gateway-metrics.md");

    private static final int[] CONCURRENCY = {8, 32};
    private static final int USERS = 50;
    private static final int ROUNDS = Integer.getInteger("benchmark.side-by-side.rounds", 6);
    private static final Duration SLICE = Duration.ofSeconds(Long.getLong("benchmark.side-by-side.slice-seconds", 5));
    private static final Duration WARMUP = Duration.ofSeconds(Long.getLong("benchmark.side-by-side.warmup-seconds", 30));

    /** One cell: both instances' slices, summed. */
    private record Cell(String request, int concurrency, double offRequests, double onRequests, double offSeconds, double onSeconds,
            double offP99, double onP99, long errors) {
        double ratio() {
            return (onRequests / onSeconds) / (offRequests / offSeconds);
        }
    }

    static void run(Setting setting) throws Exception {
        String offInstance = setting.service() + "-1";
        String onInstance = setting.service() + "-2";
        LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment()
                .withInstances(setting.gateway() ? new LocalStackSettings.Instances(2, 1, 1) : new LocalStackSettings.Instances(1, 2, 1))
                // plans raised so that no request through a gateway is refused (two gateways share the users' buckets in Redis)
                .withExtraArguments(LocalStackSettings.GATEWAY, "--rate-limit.plans.default.capacity=1000000000",
                        "--rate-limit.plans.default.period=1s")
                .withExtraArguments(offInstance, setting.off())
                .withExtraArguments(onInstance, setting.on()));
        Thread stopper = new Thread(stack::stop);
        Runtime.getRuntime().addShutdownHook(stopper);
        stack.start();
        try {
            List<String> sessions = new ArrayList<>();
            List<String> tokenBodies = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                String user = "user_" + setting.slug().replace('-', '_') + "_bench_" + i;
                String connection = stack.connectDemoAccount(user, i % 2 == 0 ? "NA" : "EU");
                tokenBodies.add("{\"userId\":\"" + user + "\",\"connectionId\":\"" + connection + "\"}");
                sessions.add(stack.clerk().sessionToken(user));
            }
            HttpClient off = client(stack.instanceUrl(offInstance));
            HttpClient on = client(stack.instanceUrl(onInstance));
            String apiKey = stack.readerApiKey();
            System.out.println("warming up both instances for " + WARMUP.toSeconds() + " s each ...");
            // the warm-up shared by the requests the setting touches
            Duration perRequest = setting.me() && setting.tokens() ? WARMUP.dividedBy(2) : WARMUP;
            for (HttpClient client : List.of(off, on)) {
                if (setting.me()) {
                    LoadRunner.warmUp(16, me(client, sessions), perRequest);
                }
                if (setting.tokens()) {
                    LoadRunner.warmUp(16, tokens(client, apiKey, tokenBodies), perRequest);
                }
            }
            List<Cell> cells = new ArrayList<>();
            for (int concurrency : CONCURRENCY) {
                if (setting.me()) {
                    cells.add(cell(setting, "GET /api/v1/me", concurrency, me(off, sessions), me(on, sessions)));
                }
                if (setting.tokens()) {
                    cells.add(cell(setting, "POST /internal/v1/tokens", concurrency, tokens(off, apiKey, tokenBodies),
                            tokens(on, apiKey, tokenBodies)));
                }
            }
            report(setting, cells);
        } finally {
            stack.stop();
            Runtime.getRuntime().removeShutdownHook(stopper);
        }
    }

    private static Cell cell(Setting setting, String request, int concurrency, LoadRunner.Call off, LoadRunner.Call on) {
        double offRequests = 0;
        double onRequests = 0;
        double offP99 = 0;
        double onP99 = 0;
        long errors = 0;
        for (int round = 0; round < ROUNDS; round++) {
            // off, on, then on, off: a trend within the cell weighs on both alike
            boolean offFirst = round % 2 == 0;
            for (boolean switchedOn : offFirst ? new boolean[] {false, true} : new boolean[] {true, false}) {
                LoadRunner.Result slice = LoadRunner.run(request + " (" + setting.label() + (switchedOn ? " on)" : " off)"), concurrency,
                        switchedOn ? on : off, Duration.ofSeconds(1), SLICE);
                double requests = slice.throughput() * SLICE.toSeconds();
                if (switchedOn) {
                    onRequests += requests;
                    onP99 = Math.max(onP99, slice.p99Millis());
                } else {
                    offRequests += requests;
                    offP99 = Math.max(offP99, slice.p99Millis());
                }
                errors += slice.errors();
            }
        }
        double seconds = (double) ROUNDS * SLICE.toSeconds();
        return new Cell(request, concurrency, offRequests, onRequests, seconds, seconds, offP99, onP99, errors);
    }

    private static HttpClient client(String baseUrl) {
        return HttpClient.create(ConnectionProvider.builder("bench-side-by-side").maxConnections(256).pendingAcquireMaxCount(10_000).build())
                .baseUrl(baseUrl);
    }

    private static LoadRunner.Call me(HttpClient client, List<String> sessions) {
        return i -> client.headers(h -> h.set("Authorization", "Bearer " + sessions.get((int) (i % sessions.size()))))
                .get().uri("/api/v1/me").responseSingle((r, b) -> b.then(Mono.just(r.status().code())));
    }

    private static LoadRunner.Call tokens(HttpClient client, String apiKey, List<String> bodies) {
        return i -> client.headers(h -> h.set("X-Api-Key", apiKey).set("Content-Type", "application/json"))
                .post().uri("/internal/v1/tokens")
                .send(ByteBufFlux.fromString(Mono.just(bodies.get((int) (i % bodies.size())))))
                .responseSingle((r, b) -> b.then(Mono.just(r.status().code())));
    }

    private static void report(Setting setting, List<Cell> cells) throws IOException {
        StringBuilder md = Reports.header("the cost of " + setting.name(), setting.slug(), SideBySideBenchmark.class)
                .append(setting.gateway() ? "Two auth-gateway instances side by side in front of the same account-service, one with "
                        : "Two account-service instances side by side on the same database, one with ").append(setting.name()).append(" off ")
                .append("(baseline), one with it on, warmed up alike (").append(WARMUP.toSeconds()).append(" s each). Each cell alternates ")
                .append(ROUNDS).append(" rounds of ").append(SLICE.toSeconds()).append(" s measured slices between them (off, on, then on, ")
                .append("off), each after 1 s unmeasured, so drift weighs on both alike. Load generator, both instances, the other ")
                .append("services, PostgreSQL and Kafka share the machine. ").append(USERS).append(" users with a connection each.\n\n")
                .append("| request | concurrency | off req/s | on req/s | on / off | worst slice p99 off / on ms | errors |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Cell cell : cells) {
            md.append(String.format(Locale.ROOT, "| `%s` | %d | %.0f | %.0f | %.3f | %.2f / %.2f | %d |%n", cell.request(), cell.concurrency(),
                    cell.offRequests() / cell.offSeconds(), cell.onRequests() / cell.onSeconds(), cell.ratio(), cell.offP99(), cell.onP99(),
                    cell.errors()));
        }
        Reports.write(setting.reportProperty(), setting.reportFile(), md);
    }
}
