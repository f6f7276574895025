package com.adsconnect.benchmarks;

import com.adsconnect.local.LocalStack;
import com.adsconnect.local.LocalStackSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * A million connections in steady state: synthetic users, connections and encrypted tokens are
 * written straight into PostgreSQL (COPY), with access tokens expiring evenly between the end of
 * the refresh window and an hour from now, as in steady state (every token was refreshed when it
 * entered the window, an hour before its expiry), and the whole system then runs for a few minutes against a
 * sandbox Amazon that answers after a realistic latency, behind the refresher's per-region quota.
 * Measured: refresh rate against the rate a million tokens need and against the quota, refresh lag
 * (how long after entering the refresh window a token was refreshed), tokens that expired before
 * their refresh, and whether an internal service asking for tokens all along was ever handed an
 * expired one.
 *
 * <p>{@code ./mvnw -Pbenchmark -Dbenchmark=simulation [-Dbenchmark.simulation.connections=1000000]
 * [-Dbenchmark.simulation.minutes=5] [-Dbenchmark.simulation.quota=150] [-Dbenchmark.simulation.latency-ms=150]};
 * writes {@code docs/benchmarks/million-connections.md} and its plot.
 */
final class MillionConnectionsSimulation {

    private static final String[] REGIONS = SyntheticConnections.REGIONS;
    private static final Duration REFRESH_WINDOW = Duration.ofMinutes(10);
    private static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(10);

    private MillionConnectionsSimulation() {
    }

    static void run() throws Exception {
        int connections = Integer.getInteger("benchmark.simulation.connections", 1_000_000);
        Duration runFor = Duration.ofMinutes(Long.getLong("benchmark.simulation.minutes", 10));
        int quota = Integer.getInteger("benchmark.simulation.quota", 150);
        Duration latency = Duration.ofMillis(Long.getLong("benchmark.simulation.latency-ms", 150));
        LightTokenEndpoints amazon = new LightTokenEndpoints("sim_", latency);
        System.setProperty("local.refresher-amazon-token-url", amazon.amazonTokenUrl());
        System.setProperty("local.refresher-google-token-url", amazon.googleTokenUrl());
        System.setProperty("local.refresher-microsoft-login-base-url", amazon.microsoftLoginBaseUrl());
        System.setProperty("local.database", "ads_connect_simulation");
        // the same quota for each of Amazon's regions, Google and Microsoft
        System.setProperty("local.refresher-args", "--amazon.rate-limit.requests-per-second=" + quota
                + " --google.rate-limit.requests-per-second=" + quota + " --microsoft.rate-limit.requests-per-second=" + quota);
        System.setProperty("local.account-service-args", "--token-vault.scheduler-batch-size=1000");
        LocalStackSettings settings = LocalStackSettings.fromEnvironment();
        SyntheticConnections.startClean(settings);
        LocalStack stack = new LocalStack(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::stop));
        stack.start();
        try {
            Instant seeded = seed(stack, connections);
            Result result = measure(stack, amazon, connections, runFor, seeded);
            report(result, connections, runFor, quota, latency);
        } finally {
            stack.stop();
            amazon.close();
        }
    }

    /** Writes the synthetic rows; expiries spread evenly over the next hour. Returns when they became visible. */
    private static Instant seed(LocalStack stack, int count) throws Exception {
        // steady state: expiries spread over (window, lifetime], so tokens enter the window at an even rate
        Instant start = Instant.now().plus(REFRESH_WINDOW).plusSeconds(30);
        long spread = TOKEN_LIFETIME.minus(REFRESH_WINDOW).toMillis();
        // the three providers mixed: a third each (Amazon's third over its three regions)
        SyntheticConnections.seed(stack, count, "user_sim_", i -> start.plusMillis(spread * i / count), "sim_expiry", true);
        return Instant.now();
    }

    private record Sample(double minute, double refreshesPerSecond, long backlog) {
    }

    private record Result(List<Sample> samples, long refreshed, long due, long backlog, long expiredBeforeRefresh,
            double lagP50, double lagP99, double lagMax, long served, long unavailable, long servedExpired, double peakAmazonRate,
            long refreshTokensUsedTwice, java.util.Map<String, Long> callsByProvider) {
    }

    private static Result measure(LocalStack stack, LightTokenEndpoints amazon, int count, Duration runFor, Instant seeded)
            throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong served = new AtomicLong();
        AtomicLong unavailable = new AtomicLong();
        AtomicLong servedExpired = new AtomicLong();
        Thread watcher = Thread.ofVirtual().start(() -> watchTokens(stack, count, running, served, unavailable, servedExpired));
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        long lastCalls = amazon.calls();
        double peak = 0;
        try (Connection db = DriverManager.getConnection(stack.jdbcUrl(), stack.postgres().username(), stack.postgres().password())) {
            while (System.nanoTime() - start < runFor.toNanos()) {
                Thread.sleep(SAMPLE_EVERY);
                long calls = amazon.calls();
                double rate = (calls - lastCalls) / (double) SAMPLE_EVERY.toSeconds();
                lastCalls = calls;
                peak = Math.max(peak, rate);
                // a refreshed token expires an hour from its refresh, so whatever is still inside the window is waiting
                long backlog = queryLong(db, "SELECT count(*) FROM connections WHERE status IN ('ACTIVE', 'REFRESH_FAILING') "
                        + "AND access_token_expires_at < now() + interval '" + REFRESH_WINDOW.toMinutes() + " minutes'");
                double minute = (System.nanoTime() - start) / 60e9;
                samples.add(new Sample(minute, rate, backlog));
                System.out.printf(Locale.ROOT, "t=%5.1f min  refreshes %6.1f/s  due but not refreshed %,d%n", minute, rate, backlog);
            }
            running.set(false);
            watcher.join();
            String lag = "EXTRACT(EPOCH FROM c.last_refreshed_at - (s.expires_at - interval '" + REFRESH_WINDOW.toMinutes() + " minutes'))";
            String refreshedRows = "FROM sim_expiry s JOIN connections c ON c.id = s.connection_id WHERE c.last_refreshed_at IS NOT NULL";
            long refreshed = queryLong(db, "SELECT count(*) " + refreshedRows);
            long due = queryLong(db, "SELECT count(*) FROM sim_expiry WHERE expires_at - interval '" + REFRESH_WINDOW.toMinutes() + " minutes' < now()");
            long backlog = queryLong(db, "SELECT count(*) FROM sim_expiry s JOIN connections c ON c.id = s.connection_id "
                    + "WHERE s.expires_at - interval '" + REFRESH_WINDOW.toMinutes() + " minutes' < now() AND c.last_refreshed_at IS NULL");
            long expired = queryLong(db, "SELECT count(*) FROM sim_expiry s JOIN connections c ON c.id = s.connection_id "
                    + "WHERE s.expires_at < now() AND (c.last_refreshed_at IS NULL OR c.last_refreshed_at > s.expires_at)");
            double p50 = queryDouble(db, "SELECT coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY greatest(" + lag + ", 0)), 0) " + refreshedRows);
            double p99 = queryDouble(db, "SELECT coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY greatest(" + lag + ", 0)), 0) " + refreshedRows);
            double max = queryDouble(db, "SELECT coalesce(max(greatest(" + lag + ", 0)), 0) " + refreshedRows);
            return new Result(samples, refreshed, due, backlog, expired, p50, p99, max, served.get(), unavailable.get(), servedExpired.get(), peak,
                    amazon.refreshTokensUsedTwice(), java.util.Map.of("amazon", amazon.calls("amazon"), "google", amazon.calls("google"),
                            "microsoft", amazon.calls("microsoft")));
        }
    }

    /** An internal service asking for random connections' tokens: a 503 is fine, an expired token never is. */
    private static void watchTokens(LocalStack stack, int count, AtomicBoolean running, AtomicLong served, AtomicLong unavailable,
            AtomicLong servedExpired) {
        Pattern expiresAt = Pattern.compile("\"expiresAt\":\"([^\"]+)\"");
        try (HttpClient http = HttpClient.newHttpClient()) {
            while (running.get()) {
                int i = ThreadLocalRandom.current().nextInt(count);
                String body = "{\"userId\":\"user_sim_" + i + "\",\"connectionId\":\"" + SyntheticConnections.id(i) + "\"}";
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.accountServiceUrl() + "/internal/v1/tokens"))
                            .header("X-Api-Key", stack.readerApiKey()).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        served.incrementAndGet();
                        Matcher matcher = expiresAt.matcher(response.body());
                        if (!matcher.find() || Instant.parse(matcher.group(1)).isBefore(Instant.now())) {
                            servedExpired.incrementAndGet();
                        }
                    } else if (response.statusCode() == 503) {
                        unavailable.incrementAndGet();
                    }
                    Thread.sleep(50);
                } catch (IOException e) {
                    unavailable.incrementAndGet();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static long queryLong(Connection db, String sql) throws Exception {
        try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static double queryDouble(Connection db, String sql) throws Exception {
        try (Statement statement = db.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getDouble(1);
        }
    }

    private static void report(Result result, int count, Duration runFor, int quota, Duration latency) throws IOException {
        // every token is refreshed once per (lifetime - window)
        double needed = count / (double) TOKEN_LIFETIME.minus(REFRESH_WINDOW).toSeconds();
        // each of Amazon's three regions, Google and Microsoft has the quota
        double quotaTotal = quota * (REGIONS.length + 2);
        double mean = result.samples().stream().skip(1).mapToDouble(Sample::refreshesPerSecond).average().orElse(0);
        Path plot = Path.of(System.getProperty("benchmark.report.simulation", "docs/benchmarks/million-connections.md"))
                .resolveSibling("million-connections.png");
        plot(result, needed, quotaTotal, plot);
        StringBuilder md = Reports.header("a million connections in steady state", "simulation", MillionConnectionsSimulation.class)
                .append(String.format(Locale.ROOT, "%,d synthetic connections (users, connections and AES-GCM-encrypted tokens written with COPY), ", count))
                .append("access tokens expiring evenly from the end of the 10-minute refresh window to an hour from now (steady state: ")
                .append("each token is refreshed as it enters the window, so the pipeline must sustain connections / 50 min); ")
                .append("a third each Amazon (over its three regions), Google Ads and Microsoft Advertising; ")
                .append("the providers' token endpoints (light stubs with their wire formats, LightTokenEndpoints: Microsoft's rotates the ")
                .append("refresh token every time) answering refreshes after ")
                .append(latency.toMillis()).append(" ms; the refresher's quota ").append(quota).append("/s per Amazon region, for Google and ")
                .append("for Microsoft (").append(String.format(Locale.ROOT, "%.0f", quotaTotal)).append("/s in all); ")
                .append(runFor.toMinutes()).append(" minutes of the whole system (one instance of each service, Kafka, PostgreSQL, the load ")
                .append("and the sandboxes on the same machine). An internal service asks for a random connection's token every 50 ms throughout.\n\n")
                .append("| measure | value |\n|---|---:|\n")
                .append(row("refreshes needed in steady state (connections / 50 min)", "%.0f /s", needed))
                .append(row("quota (refresher, all providers and regions)", "%.0f /s", quotaTotal))
                .append(row("refresh calls, mean after the first sample", "%.1f /s", mean))
                .append(row("refresh calls, peak 10 s", "%.1f /s", result.peakAmazonRate()))
                .append(row("refresh calls by provider (Amazon / Google / Microsoft)", "%s", result.callsByProvider().get("amazon") + " / "
                        + result.callsByProvider().get("google") + " / " + result.callsByProvider().get("microsoft")))
                .append(row("mean / needed", "%.2f", mean / needed))
                .append(row("peak / quota", "%.2f", result.peakAmazonRate() / quotaTotal))
                .append(row("connections that entered the refresh window", "%,d", result.due()))
                .append(row("refreshed", "%,d", result.refreshed()))
                .append(row("refresh tokens used by more than one call (Microsoft's: a rotated-out one used again)", "%,d",
                        result.refreshTokensUsedTwice()))
                .append(row("due and not refreshed at the end (backlog)", "%,d", result.backlog()))
                .append(row("refresh lag p50 (after entering the 10-minute window)", "%.1f s", result.lagP50()))
                .append(row("refresh lag p99", "%.1f s", result.lagP99()))
                .append(row("refresh lag max", "%.1f s", result.lagMax()))
                .append(row("tokens that expired before their refresh", "%,d", result.expiredBeforeRefresh()))
                .append(row("internal API: tokens served / 503 retry-later", "%s", result.served() + " / " + result.unavailable()))
                .append(row("internal API: expired tokens served", "%,d", result.servedExpired()))
                .append("\n![Refresh rate and backlog](million-connections.png)\n");
        Reports.write("benchmark.report.simulation", "docs/benchmarks/million-connections.md", md);
    }

    private static String row(String name, String format, Object value) {
        return "| " + name + " | " + String.format(Locale.ROOT, format, value) + " |\n";
    }

    private static void plot(Result result, double needed, double quota, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(450).title("Refresh rate with a million hourly tokens")
                .xAxisTitle("minutes").yAxisTitle("refreshes per second").build();
        List<Double> minutes = result.samples().stream().map(Sample::minute).toList();
        chart.addSeries("refresh calls/s (all providers)", minutes, result.samples().stream().map(Sample::refreshesPerSecond).toList());
        chart.addSeries("needed (" + Math.round(needed) + "/s)", minutes, minutes.stream().map(m -> needed).toList());
        chart.addSeries("quota (" + Math.round(quota) + "/s)", minutes, minutes.stream().map(m -> quota).toList());
        Files.createDirectories(file.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, file.toString().replaceFirst("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
    }
}
