package com.adsconnect.benchmarks;

/**
 * {@code ./mvnw -Pbenchmark [-Dbenchmark=tokens|refresh|rls|token-audit|alive-bypass|gateway|simulation]}: each benchmark starts the whole system
 * as command one does, measures, writes its report under {@code docs/benchmarks/}, and stops it.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    /** A benchmark's concurrency cells: the property's comma-separated values, or {@code defaults} when it is unset or blank. */
    static int[] concurrency(String property, int... defaults) {
        String given = System.getProperty(property, "");
        if (given.isBlank()) {
            return defaults;
        }
        return java.util.Arrays.stream(given.split(",")).mapToInt(value -> Integer.parseInt(value.strip())).toArray();
    }

    public static void main(String[] args) throws Exception {
        String which = System.getProperty("benchmark", "all");
        if (which.equals("all") || which.equals("tokens")) {
            TokenApiBenchmark.run();
        }
        if (which.equals("all") || which.equals("refresh")) {
            RefreshBenchmark.run();
        }
        if (which.equals("all") || which.equals("rls")) {
            SideBySideBenchmark.run(SideBySideBenchmark.ROW_LEVEL_SECURITY);
        }
        if (which.equals("all") || which.equals("token-audit")) {
            SideBySideBenchmark.run(SideBySideBenchmark.TOKEN_ACCESS_AUDIT);
        }
        if (which.equals("all") || which.equals("alive-bypass")) {
            SideBySideBenchmark.run(SideBySideBenchmark.ALIVE_BYPASS);
        }
        if (which.equals("all") || which.equals("binary-results")) {
            SideBySideBenchmark.run(SideBySideBenchmark.BINARY_RESULTS);
        }
        if (which.equals("gateway-observation")) {
            SideBySideBenchmark.run(SideBySideBenchmark.GATEWAY_OBSERVED_PROXY_CALL);
        }
        if (which.equals("gateway-metrics")) {
            SideBySideBenchmark.run(SideBySideBenchmark.GATEWAY_ROUTE_METRICS);
        }
        if (which.equals("all") || which.equals("gateway")) {
            GatewayBenchmark.run();
        }
        // not in "all": seeding a million rows and running for minutes is a run of its own
        if (which.equals("simulation")) {
            MillionConnectionsSimulation.run();
        }
        System.exit(0);
    }
}
