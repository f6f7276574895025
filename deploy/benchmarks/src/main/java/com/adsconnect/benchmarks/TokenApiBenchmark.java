package com.adsconnect.benchmarks;

import com.adsconnect.local.LocalStack;
import com.adsconnect.local.LocalStackSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Throughput and latency of {@code POST /internal/v1/tokens} (API key check, a PostgreSQL read,
 * an AES-GCM decryption) at several concurrency levels, each next to a baseline measured in the
 * same run against the same server: {@code GET /actuator/health/liveness}, which touches neither
 * the database nor the vault. Results are ratios to that baseline, so they say what the token path
 * costs on whatever machine runs this, not how fast that machine is.
 *
 * <p>Run with {@code ./mvnw -Pbenchmark -Dbenchmark=tokens}; writes {@code docs/benchmarks/token-api.md}.
 */
final class TokenApiBenchmark {

    private static final int[] CONCURRENCY = {1, 8, 32, 128};
    private static final Duration WARMUP = Duration.ofSeconds(Long.getLong("benchmark.warmup-seconds", 5));
    private static final Duration MEASURE = Duration.ofSeconds(Long.getLong("benchmark.seconds", 15));
    private static final int CONNECTIONS = 50;

    private record Result(String name, int concurrency, double throughput, double p50Millis, double p99Millis, long errors) {
    }

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

            List<Result> results = new ArrayList<>();
            for (int concurrency : CONCURRENCY) {
                results.add(run("baseline: GET /actuator/health/liveness", concurrency,
                        i -> client.get().uri("/actuator/health/liveness").responseSingle((r, b) -> b.then(Mono.just(r.status().code())))));
                results.add(run("POST /internal/v1/tokens", concurrency,
                        i -> client.post().uri("/internal/v1/tokens")
                                .send(ByteBufFlux.fromString(Mono.just(bodies.get((int) (i % bodies.size())))))
                                .responseSingle((r, b) -> b.then(Mono.just(r.status().code())))));
            }
            report(results);
        } finally {
            stack.stop();
        }
    }

    private interface Call {
        Mono<Integer> send(long index);
    }

    private static Result run(String name, int concurrency, Call call) {
        load(concurrency, call, WARMUP, new Recorder(3), new AtomicLong(), new AtomicLong());
        Recorder recorder = new Recorder(3);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long started = System.nanoTime();
        load(concurrency, call, MEASURE, recorder, ok, errors);
        double seconds = (System.nanoTime() - started) / 1e9;
        Histogram histogram = recorder.getIntervalHistogram();
        Result result = new Result(name, concurrency, ok.get() / seconds,
                histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6, errors.get());
        System.out.printf(Locale.ROOT, "%-45s c=%-4d %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d%n",
                name, concurrency, result.throughput(), result.p50Millis(), result.p99Millis(), result.errors());
        return result;
    }

    /** Keeps {@code concurrency} requests in flight until the duration is over. */
    private static void load(int concurrency, Call call, Duration duration, Recorder recorder, AtomicLong ok, AtomicLong errors) {
        long deadline = System.nanoTime() + duration.toNanos();
        AtomicLong index = new AtomicLong();
        Flux.range(0, concurrency)
                .flatMap(worker -> Mono.defer(() -> {
                            long start = System.nanoTime();
                            return call.send(index.getAndIncrement()).doOnNext(status -> {
                                recorder.recordValue(System.nanoTime() - start);
                                if (status == 200) {
                                    ok.incrementAndGet();
                                } else {
                                    errors.incrementAndGet();
                                }
                            }).onErrorResume(error -> {
                                errors.incrementAndGet();
                                return Mono.empty();
                            });
                        })
                        .repeat(() -> System.nanoTime() < deadline), concurrency)
                .blockLast(duration.plusSeconds(60));
    }

    private static void report(List<Result> results) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark: POST /internal/v1/tokens\n\n")
                .append("Generated by `./mvnw -Pbenchmark -Dbenchmark=tokens` (").append(TokenApiBenchmark.class.getSimpleName()).append(") on ")
                .append(Instant.now()).append(", ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version")).append(".\n")
                .append("Load generator, services, PostgreSQL and Kafka share the machine. ")
                .append(CONNECTIONS).append(" connections, ").append(MEASURE.toSeconds()).append(" s per cell after ")
                .append(WARMUP.toSeconds()).append(" s warm-up.\n\n")
                .append("| concurrency | baseline req/s | tokens req/s | tokens / baseline | tokens p50 ms | tokens p99 ms | baseline p99 ms | errors |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < results.size(); i += 2) {
            Result baseline = results.get(i);
            Result tokens = results.get(i + 1);
            md.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %d |%n",
                    tokens.concurrency(), baseline.throughput(), tokens.throughput(), tokens.throughput() / baseline.throughput(),
                    tokens.p50Millis(), tokens.p99Millis(), baseline.p99Millis(), tokens.errors() + baseline.errors()));
        }
        Path target = Path.of(System.getProperty("benchmark.report", "target/token-api.md"));
        Files.createDirectories(target.toAbsolutePath().getParent());
        Files.writeString(target, md.toString(), StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(md);
        System.out.println("written to " + target.toAbsolutePath());
    }
}
