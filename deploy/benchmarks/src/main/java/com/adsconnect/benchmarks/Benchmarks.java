package com.adsconnect.benchmarks;

/**
 * {@code ./mvnw -Pbenchmark [-Dbenchmark=tokens|refresh|gateway]}: each benchmark starts the whole system
 * as command one does, measures, writes its report under {@code docs/benchmarks/}, and stops it.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String which = System.getProperty("benchmark", "all");
        if (which.equals("all") || which.equals("tokens")) {
            TokenApiBenchmark.run();
        }
        if (which.equals("all") || which.equals("refresh")) {
            RefreshBenchmark.run();
        }
        if (which.equals("all") || which.equals("gateway")) {
            GatewayBenchmark.run();
        }
        System.exit(0);
    }
}
