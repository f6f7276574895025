package com.adsconnect.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The refresher's per-step timings, read from its Prometheus endpoint after a run. */
final class Stages {

    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)\\{([^}]*)} ([0-9.eE+-]+)$");

    private Stages() {
    }

    static String fromRefresherMetrics(String refresherUrl) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(refresherUrl + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, double[]> steps = new LinkedHashMap<>();
        for (String line : metrics.split("\n")) {
            Matcher m = SAMPLE.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            String step = step(m.group(1), m.group(2));
            if (step == null) {
                continue;
            }
            double[] sumCount = steps.computeIfAbsent(step, k -> new double[2]);
            sumCount[m.group(1).endsWith("_sum") ? 0 : 1] += Double.parseDouble(m.group(3));
        }
        StringBuilder table = new StringBuilder();
        steps.forEach((step, sumCount) -> table.append(String.format(Locale.ROOT, "| %s | %.1f ms | %.0f |%n", step,
                sumCount[1] == 0 ? 0 : 1000 * sumCount[0] / sumCount[1], sumCount[1])));
        return table.toString();
    }

    private static String step(String name, String labels) {
        if (!name.endsWith("_sum") && !name.endsWith("_count")) {
            return null;
        }
        if (name.startsWith("refresher_provider_latency_seconds")) {
            return "provider token call (stub, 100 ms latency)";
        }
        if (name.startsWith("http_client_requests_seconds") && labels.contains("uri=\"/internal/v1/refresh/lease-batches\"")) {
            return "account-service: a batch of leases";
        }
        if (name.startsWith("http_client_requests_seconds") && labels.contains("uri=\"/internal/v1/refresh/report-batches\"")) {
            return "account-service: a batch of reports";
        }
        if (name.startsWith("refresher_batch_size") ) {
            return null;
        }
        return null;
    }
}
