package com.adsconnect.benchmarks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A closed-loop HTTP load: {@code concurrency} requests in flight until the time is up, latency
 * recorded per request in an HdrHistogram. Warm-up first, measured separately.
 */
final class LoadRunner {

    static final Duration WARMUP = Duration.ofSeconds(Long.getLong("benchmark.warmup-seconds", 5));
    static final Duration MEASURE = Duration.ofSeconds(Long.getLong("benchmark.seconds", 15));
    /** An interleaved cell: the paths in turn, ROUNDS times, SLICE measured after SLICE_WARMUP each (drift weighs on all alike). */
    static final int ROUNDS = Integer.getInteger("benchmark.rounds", 4);
    static final Duration SLICE = Duration.ofSeconds(Long.getLong("benchmark.slice-seconds", 5));
    static final Duration SLICE_WARMUP = Duration.ofSeconds(2);

    /**
     * One path's measurement. {@code cpuMillisPerRequest}: CPU time each process used during the
     * path's measured slices, per successful request (empty when the run had no CPU probe).
     */
    record Result(String name, int concurrency, double throughput, double p50Millis, double p99Millis, long errors,
            Map<String, Double> cpuMillisPerRequest) {
    }

    /** One request; emits the HTTP status. {@code index} counts requests, to spread them over test data. */
    interface Call {
        Mono<Integer> send(long index);
    }

    private LoadRunner() {
    }

    /** Load that is not measured: lets the JIT compile every hop before any cell is recorded. */
    static void warmUp(int concurrency, Call call, Duration duration) {
        load(concurrency, call, duration, new Recorder(3), new AtomicLong(), new AtomicLong());
    }

    static Result run(String name, int concurrency, Call call) {
        return run(name, concurrency, call, WARMUP, MEASURE);
    }

    static Result run(String name, int concurrency, Call call, Duration warmup, Duration measure) {
        return interleaved(concurrency, List.of(new Path(name, call)), 1, warmup, measure).getFirst();
    }

    /** A path measured in slices: its name and what it sends. */
    record Path(String name, Call call) {
    }

    /**
     * Measures several paths against each other in alternating slices ({@code rounds} rounds of
     * {@code slice} each, the order rotated every round, {@code warmup} of unmeasured load before
     * each slice), so that drift of the machine over the minutes of a cell weighs on every path
     * alike. One result per path, from all its slices together.
     */
    static List<Result> interleaved(int concurrency, List<Path> paths, int rounds, Duration warmup, Duration slice) {
        return interleaved(concurrency, paths, rounds, warmup, slice, Map::of);
    }

    /**
     * As above, and attributes CPU time to each path: {@code cpu} gives CPU seconds used so far by
     * process name ({@link CpuAccounting#snapshot}), read before and after every measured slice.
     */
    static List<Result> interleaved(int concurrency, List<Path> paths, int rounds, Duration warmup, Duration slice,
            Supplier<Map<String, Double>> cpu) {
        int n = paths.size();
        List<Histogram> histograms = new java.util.ArrayList<>();
        long[] ok = new long[n];
        long[] errors = new long[n];
        double[] seconds = new double[n];
        List<Map<String, Double>> cpuSeconds = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            histograms.add(new Histogram(3));
            cpuSeconds.add(new LinkedHashMap<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < n; k++) {
                int i = (k + round) % n;
                Path path = paths.get(i);
                warmUp(concurrency, path.call(), warmup);
                Recorder recorder = new Recorder(3);
                AtomicLong good = new AtomicLong();
                AtomicLong bad = new AtomicLong();
                Map<String, Double> cpuBefore = cpu.get();
                long started = System.nanoTime();
                load(concurrency, path.call(), slice, recorder, good, bad);
                seconds[i] += (System.nanoTime() - started) / 1e9;
                Map<String, Double> used = cpuSeconds.get(i);
                cpu.get().forEach((process, after) -> used.merge(process, after - cpuBefore.getOrDefault(process, 0.0), Double::sum));
                histograms.get(i).add(recorder.getIntervalHistogram());
                ok[i] += good.get();
                errors[i] += bad.get();
            }
        }
        List<Result> results = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            Histogram histogram = histograms.get(i);
            long served = Math.max(1, ok[i]);
            Map<String, Double> perRequest = new LinkedHashMap<>();
            cpuSeconds.get(i).forEach((process, used) -> perRequest.put(process, 1000 * used / served));
            Result result = new Result(paths.get(i).name(), concurrency, ok[i] / seconds[i],
                    histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6, errors[i], perRequest);
            print(result);
            results.add(result);
        }
        return results;
    }

    private static void print(Result result) {
        StringBuilder cpu = new StringBuilder();
        result.cpuMillisPerRequest().forEach((process, millis) -> cpu.append(String.format(Locale.ROOT, "  %s %.3f", process, millis)));
        System.out.printf(Locale.ROOT, "%-45s c=%-4d %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d%s%n",
                result.name(), result.concurrency(), result.throughput(), result.p50Millis(), result.p99Millis(), result.errors(),
                cpu.isEmpty() ? "" : "  CPU ms/request:" + cpu);
    }

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
}
