package com.adsconnect.benchmarks;

import com.adsconnect.benchmarks.floor.BareGateway;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.devinfra.net.FreePorts;
import com.adsconnect.devinfra.process.ServiceProcess;
import com.adsconnect.local.LocalStack;
import com.adsconnect.local.LocalStackSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * What the gateway costs: {@code GET /api/v1/me} (account-service verifies the token and reads the
 * user) sent (a) to account-service directly, (b) through nginx as a plain reverse proxy, and (c)
 * through auth-gateway, which also verifies the token and takes one token from the user's Bucket4j
 * bucket (plans raised so nothing is refused). All three in one run, on the same backend, with the
 * same session tokens; reported as (c)/(b) and (c)/(a).
 *
 * <p>nginx comes from Debian's packages: {@code apt-get install -y nginx} when it is not installed.
 * Run with {@code ./mvnw -Pbenchmark -Dbenchmark=gateway}; writes {@code docs/benchmarks/gateway.md}.
 */
final class GatewayBenchmark {

    /** The cells: {@code -Dbenchmark.gateway.concurrency=16} runs one (for a profile). */
    private static final int[] CONCURRENCY = Benchmarks.concurrency("benchmark.gateway.concurrency", 1, 16, 64);
    private static final int USERS = 50;
    private static final String GATEWAY = "auth-gateway";
    private static final String BARE = "bare gateway";
    private static final String NGINX = "nginx";
    private static final String BACKEND = "account-service";
    private static final String DRIVER = "benchmark JVM";
    private static final Duration WARMUP_ALL = Duration.ofSeconds(Long.getLong("benchmark.warmup-all-seconds", 45));

    static void run() throws Exception {
        Path nginx = ensureNginx();
        System.setProperty("local.gateway-args", "--rate-limit.plans.default.capacity=1000000000 --rate-limit.plans.default.period=1s");
        LocalStack stack = new LocalStack(LocalStackSettings.fromEnvironment());
        Runtime.getRuntime().addShutdownHook(new Thread(stack::stop));
        stack.start();
        Process proxy = null;
        Process bare = null;
        try {
            int nginxPort = FreePorts.pick();
            proxy = startNginx(nginx, nginxPort, stack.accountServiceUrl());
            int barePort = FreePorts.pick();
            bare = startBareGateway(barePort, stack.accountServiceUrl());
            SandboxClerk clerk = stack.clerk();
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                tokens.add(clerk.sessionToken("user_gateway_bench_" + i));
            }
            LoadRunner.Call direct = me(client(stack.accountServiceUrl()), tokens);
            LoadRunner.Call viaNginx = me(client("http://127.0.0.1:" + nginxPort), tokens);
            LoadRunner.Call viaGateway = me(client(stack.gatewayUrl()), tokens);
            LoadRunner.Call viaBare = me(client("http://127.0.0.1:" + barePort), tokens);
            Map<String, List<Long>> pids = new LinkedHashMap<>();
            pids.put(GATEWAY, List.of(stack.servicePidsByName().get("auth-gateway")));
            pids.put(BARE, List.of(bare.pid()));
            // nginx's master and its workers (started by now: the master forks them before it listens)
            pids.put(NGINX, java.util.stream.Stream.concat(java.util.stream.Stream.of(proxy.toHandle()), proxy.descendants())
                    .map(ProcessHandle::pid).toList());
            pids.put(BACKEND, List.of(stack.servicePidsByName().get("account-service")));
            // its own threads only: the services are its child processes, counted above
            pids.put(DRIVER, List.of(ProcessHandle.current().pid()));
            // the first cell must not pay for everyone's JIT: warm every path (the gateway's warms the backend too)
            System.out.println("warming up for " + WARMUP_ALL.toSeconds() + " s ...");
            LoadRunner.warmUp(16, viaGateway, WARMUP_ALL);
            LoadRunner.warmUp(16, viaBare, WARMUP_ALL.dividedBy(3));
            LoadRunner.warmUp(16, viaNginx, WARMUP_ALL.dividedBy(3));
            LoadRunner.warmUp(16, direct, WARMUP_ALL.dividedBy(3));
            List<LoadRunner.Result> results = new ArrayList<>();
            for (int concurrency : CONCURRENCY) {
                results.addAll(LoadRunner.interleaved(concurrency, List.of(
                                new LoadRunner.Path("(a) account-service directly", direct),
                                new LoadRunner.Path("(b) nginx -> account-service", viaNginx),
                                new LoadRunner.Path("(c) auth-gateway -> account-service", viaGateway),
                                new LoadRunner.Path("(d) bare Spring Cloud Gateway -> account-service", viaBare)),
                        LoadRunner.ROUNDS, LoadRunner.SLICE_WARMUP, LoadRunner.SLICE, () -> CpuAccounting.snapshotGroups(pids)));
            }
            report(results);
        } finally {
            for (Process process : new Process[] {proxy, bare}) {
                if (process != null) {
                    process.destroy();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            stack.stop();
        }
    }

    /**
     * The framework's floor ({@link BareGateway}): its own JVM, with the JVM options the services
     * get, on this module's class path.
     */
    private static Process startBareGateway(int port, String backend) throws IOException, InterruptedException {
        Path log = Path.of("target", "bare-gateway.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.addAll(ServiceProcess.javaCommand());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), BareGateway.class.getName(),
                "--server.port=" + port, "--bare-gateway.backend=" + backend, "--spring.main.banner-mode=off"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return awaitListening(process, port, Duration.ofSeconds(60), "the bare gateway did not start; see " + log);
    }

    /** The process once it accepts connections on the port; destroyed, and an error, when it exits or the time is up first. */
    private static Process awaitListening(Process process, int port, Duration timeout, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (FreePorts.isListening("127.0.0.1", port, 200)) {
                return process;
            }
            Thread.sleep(100);
        }
        process.destroy();
        throw new IllegalStateException(failure);
    }

    private static HttpClient client(String baseUrl) {
        return HttpClient.create(ConnectionProvider.builder("bench-" + baseUrl).maxConnections(256).pendingAcquireMaxCount(10_000).build())
                .baseUrl(baseUrl);
    }

    private static LoadRunner.Call me(HttpClient client, List<String> tokens) {
        return i -> client.headers(h -> h.set("Authorization", "Bearer " + tokens.get((int) (i % tokens.size()))))
                .get().uri("/api/v1/me")
                .responseSingle((response, body) -> body.then(Mono.just(response.status().code())));
    }

    private static Path ensureNginx() throws IOException, InterruptedException {
        Path nginx = Path.of("/usr/sbin/nginx");
        if (!Files.isExecutable(nginx)) {
            System.out.println("nginx is not installed; installing Debian's package: apt-get install -y nginx");
            Process install = new ProcessBuilder("apt-get", "install", "-y", "--no-install-recommends", "nginx").inheritIO().start();
            if (install.waitFor() != 0 || !Files.isExecutable(nginx)) {
                throw new IllegalStateException("cannot install nginx; install it (apt-get install nginx) and run again");
            }
        }
        return nginx;
    }

    /** nginx as a plain reverse proxy: two workers like the machine's cores, keep-alive to the backend, no logging. */
    private static Process startNginx(Path nginx, int port, String backend) throws IOException, InterruptedException {
        Path dir = Path.of("target", "nginx").toAbsolutePath();
        Files.createDirectories(dir.resolve("logs"));
        String config = """
                worker_processes 2;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 4096; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  upstream backend { server %2$s; keepalive 128; }
                  server {
                    listen 127.0.0.1:%3$d;
                    location / {
                      proxy_pass http://backend;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                    }
                  }
                }
                """.formatted(dir, backend.replace("http://", ""), port);
        Path conf = Files.writeString(dir.resolve("nginx.conf"), config);
        Process process = new ProcessBuilder(nginx.toString(), "-p", dir.toString(), "-c", conf.toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(dir.resolve("logs/stdout.log").toFile()).start();
        return awaitListening(process, port, Duration.ofSeconds(10), "nginx did not start; see " + dir.resolve("logs"));
    }

    private static void report(List<LoadRunner.Result> results) throws IOException {
        StringBuilder md = Reports.header("the gateway's cost", "gateway", GatewayBenchmark.class)
                .append("`GET /api/v1/me` with ").append(USERS).append(" users' Clerk session tokens, ")
                .append("each cell measured in ").append(LoadRunner.ROUNDS).append(" rounds that take the four paths in turn (the order rotated), ")
                .append(LoadRunner.SLICE.toSeconds()).append(" s each after ").append(LoadRunner.SLICE_WARMUP.toSeconds())
                .append(" s of unmeasured load, so drift of the machine weighs on every path alike (after a warm-up of ").append(WARMUP_ALL.toSeconds()).append(" s through the gateway and ").append(WARMUP_ALL.dividedBy(3).toSeconds()).append(" s through each other path). Load generator, nginx, both gateways, account-service, PostgreSQL and Kafka share the machine.\n")
                .append("(a) account-service directly; (b) nginx 1.22 (2 workers, upstream keep-alive) proxying it; ")
                .append("(c) auth-gateway proxying it with Clerk token verification and a Bucket4j take per request (local buckets, limits too high to refuse); ")
                .append("(d) the framework's floor: Spring Cloud Gateway with one route and nothing else (`BareGateway`: no token check, budget, security chain, observation or metrics; same JVM options).\n\n")
                .append("| concurrency | (a) req/s | (b) req/s | (c) req/s | (d) req/s | (c)/(b) | (c)/(a) | (d)/(b) | (a) p50 / p99 ms | (b) p50 / p99 ms | (c) p50 / p99 ms | (d) p50 / p99 ms | errors |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < results.size(); i += 4) {
            LoadRunner.Result direct = results.get(i);
            LoadRunner.Result nginx = results.get(i + 1);
            LoadRunner.Result gateway = results.get(i + 2);
            LoadRunner.Result bare = results.get(i + 3);
            md.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %d |%n",
                    direct.concurrency(), direct.throughput(), nginx.throughput(), gateway.throughput(), bare.throughput(),
                    gateway.throughput() / nginx.throughput(), gateway.throughput() / direct.throughput(), bare.throughput() / nginx.throughput(),
                    direct.p50Millis(), direct.p99Millis(), nginx.p50Millis(), nginx.p99Millis(), gateway.p50Millis(), gateway.p99Millis(),
                    bare.p50Millis(), bare.p99Millis(), direct.errors() + nginx.errors() + gateway.errors() + bare.errors()));
        }
        md.append("\nCPU time per request (ms) of each process while a path was measured (`/proc/<pid>/stat`, user + system, summed over the path's slices and divided by its successful requests; nginx with its workers). ")
                .append("A proxy's own cost is its column on its path; the backend's and PostgreSQL's are the same work on every path.\n\n");
        Map<String, String> columns = new LinkedHashMap<>();
        for (String process : List.of(GATEWAY, BARE, NGINX, BACKEND)) {
            columns.put(process, process);
        }
        columns.put(CpuAccounting.POSTGRES, "PostgreSQL");
        columns.put(DRIVER, DRIVER + " (load generator, Kafka, sandboxes)");
        Reports.appendCpuTable(md, results, columns, result -> result.name().substring(0, 3));
        Reports.write("benchmark.report.gateway", "docs/benchmarks/gateway.md", md);
    }
}
