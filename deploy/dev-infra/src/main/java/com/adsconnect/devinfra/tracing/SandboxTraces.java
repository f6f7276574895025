package com.adsconnect.devinfra.tracing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * A small trace collector and viewer for the local run and the tests: it takes spans as an
 * OpenTelemetry collector does (OTLP over HTTP, {@code POST /v1/traces} with a protobuf
 * {@code ExportTraceServiceRequest}), keeps the latest {@link #CAPACITY} in memory, lists the
 * traces on {@code /} and shows one trace as a tree of spans with their timing on
 * {@code /traces/{traceId}}. Production sends its spans to a real collector (Jaeger, Tempo, an
 * OpenTelemetry Collector) at the same OTLP endpoint.
 */
public final class SandboxTraces implements AutoCloseable {

    /** How many spans are kept; older ones are dropped first. */
    public static final int CAPACITY = 50_000;

    /** One received span; ids in lowercase hex, times in nanoseconds since the epoch. */
    public record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name, String kind,
            long startNanos, long endNanos, Map<String, String> attributes, boolean error) {

        public boolean isRoot() {
            return parentSpanId.isEmpty();
        }

        public double millis() {
            return (endNanos - startNanos) / 1e6;
        }
    }

    private static final HexFormat HEX = HexFormat.of();

    private final HttpServer server;
    private final Deque<ReceivedSpan> spans = new ArrayDeque<>();

    private SandboxTraces(HttpServer server) {
        this.server = server;
    }

    public static SandboxTraces start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            SandboxTraces traces = new SandboxTraces(server);
            server.createContext("/v1/traces", traces::receive);
            server.createContext("/", traces::view);
            server.setExecutor(Executors.newFixedThreadPool(4, runnable -> {
                Thread thread = new Thread(runnable, "sandbox-traces");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return traces;
        } catch (IOException e) {
            throw new IllegalStateException("sandbox traces could not listen on port " + port, e);
        }
    }

    /** Where services send spans: {@code management.opentelemetry.tracing.export.otlp.endpoint}. */
    public String endpoint() {
        return baseUrl() + "/v1/traces";
    }

    /** The page listing the traces received. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every span kept, in the order received. */
    public List<ReceivedSpan> spans() {
        synchronized (spans) {
            return List.copyOf(spans);
        }
    }

    /** The spans of one trace, by start time. */
    public List<ReceivedSpan> trace(String traceId) {
        return spans().stream().filter(span -> span.traceId().equals(traceId))
                .sorted(Comparator.comparingLong(ReceivedSpan::startNanos)).toList();
    }

    /** Forgets every span. */
    public void reset() {
        synchronized (spans) {
            spans.clear();
        }
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, "text/plain", "POST spans here".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type == null || !type.startsWith("application/x-protobuf")) {
                answer(exchange, 415, "text/plain", "OTLP/HTTP with protobuf only".getBytes(StandardCharsets.UTF_8));
                return;
            }
            ExportTraceServiceRequest request;
            try (InputStream body = exchange.getRequestBody()) {
                request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
            } catch (IOException malformed) {
                answer(exchange, 400, "text/plain", "not an ExportTraceServiceRequest".getBytes(StandardCharsets.UTF_8));
                return;
            }
            List<ReceivedSpan> received = new ArrayList<>();
            for (ResourceSpans resource : request.getResourceSpansList()) {
                String service = attributes(resource.getResource().getAttributesList()).getOrDefault("service.name", "unknown");
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    for (io.opentelemetry.proto.trace.v1.Span span : scope.getSpansList()) {
                        received.add(new ReceivedSpan(service, HEX.formatHex(span.getTraceId().toByteArray()),
                                HEX.formatHex(span.getSpanId().toByteArray()), HEX.formatHex(span.getParentSpanId().toByteArray()),
                                span.getName(), span.getKind().name().replace("SPAN_KIND_", ""), span.getStartTimeUnixNano(),
                                span.getEndTimeUnixNano(), attributes(span.getAttributesList()),
                                span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR));
                    }
                }
            }
            synchronized (spans) {
                spans.addAll(received);
                while (spans.size() > CAPACITY) {
                    spans.removeFirst();
                }
            }
            answer(exchange, 200, "application/x-protobuf", ExportTraceServiceResponse.getDefaultInstance().toByteArray());
        }
    }

    private static Map<String, String> attributes(List<KeyValue> attributes) {
        Map<String, String> values = new LinkedHashMap<>();
        for (KeyValue attribute : attributes) {
            values.put(attribute.getKey(), text(attribute.getValue()));
        }
        return values;
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> String.valueOf(value.getBoolValue());
            case INT_VALUE -> String.valueOf(value.getIntValue());
            case DOUBLE_VALUE -> String.valueOf(value.getDoubleValue());
            default -> value.toString().strip();
        };
    }

    private void view(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, "text/plain", new byte[0]);
            } else if (path.equals("/")) {
                answer(exchange, 200, "text/html; charset=utf-8", page("Traces", traceList()).getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/traces/") && path.substring(8).matches("[0-9a-f]{32}")) {
                String traceId = path.substring(8);
                answer(exchange, 200, "text/html; charset=utf-8", page("Trace " + traceId, traceTree(trace(traceId)))
                        .getBytes(StandardCharsets.UTF_8));
            } else {
                answer(exchange, 404, "text/plain", "no such page".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private String traceList() {
        Map<String, List<ReceivedSpan>> byTrace = spans().stream()
                .collect(Collectors.groupingBy(ReceivedSpan::traceId, LinkedHashMap::new, Collectors.toList()));
        StringBuilder html = new StringBuilder("<p>").append(byTrace.size()).append(" traces, newest first. Spans arrive")
                .append(" a few seconds after their work ended (the services export in batches).</p><table><tr><th>started</th>")
                .append("<th>trace</th><th>first span</th><th>services</th><th>spans</th><th>ms</th></tr>");
        byTrace.values().stream()
                .sorted(Comparator.comparingLong((List<ReceivedSpan> trace) -> start(trace)).reversed())
                .limit(200)
                .forEach(trace -> {
                    ReceivedSpan first = trace.stream().min(Comparator.comparingLong(ReceivedSpan::startNanos)).orElseThrow();
                    long end = trace.stream().mapToLong(ReceivedSpan::endNanos).max().orElse(first.endNanos());
                    html.append("<tr><td>").append(java.time.Instant.ofEpochSecond(0, first.startNanos()))
                            .append("</td><td><a href=\"/traces/").append(first.traceId()).append("\">").append(first.traceId())
                            .append("</a></td><td>").append(escape(first.service() + ": " + first.name())).append("</td><td>")
                            .append(escape(trace.stream().map(ReceivedSpan::service).distinct().sorted().collect(Collectors.joining(", "))))
                            .append("</td><td>").append(trace.size()).append("</td><td>")
                            .append(String.format("%.1f", (end - first.startNanos()) / 1e6)).append("</td></tr>");
                });
        return html.append("</table>").toString();
    }

    private static long start(List<ReceivedSpan> trace) {
        return trace.stream().mapToLong(ReceivedSpan::startNanos).min().orElse(0);
    }

    private String traceTree(List<ReceivedSpan> trace) {
        if (trace.isEmpty()) {
            return "<p>No spans of this trace (yet).</p>";
        }
        long start = start(trace);
        long total = Math.max(1, trace.stream().mapToLong(ReceivedSpan::endNanos).max().orElse(start) - start);
        Map<String, List<ReceivedSpan>> children = new LinkedHashMap<>();
        List<ReceivedSpan> tops = new ArrayList<>();
        java.util.Set<String> ids = trace.stream().map(ReceivedSpan::spanId).collect(Collectors.toSet());
        for (ReceivedSpan span : trace) {
            if (span.isRoot() || !ids.contains(span.parentSpanId())) {
                tops.add(span);
            } else {
                children.computeIfAbsent(span.parentSpanId(), parent -> new ArrayList<>()).add(span);
            }
        }
        StringBuilder html = new StringBuilder("<p><a href=\"/\">all traces</a></p><table><tr><th>span</th><th>service</th>")
                .append("<th>kind</th><th>ms</th><th style=\"width:40%\">timeline</th></tr>");
        tops.forEach(top -> row(html, top, 0, start, total, children));
        return html.append("</table>").toString();
    }

    private static void row(StringBuilder html, ReceivedSpan span, int depth, long start, long total,
            Map<String, List<ReceivedSpan>> children) {
        double left = 100.0 * (span.startNanos() - start) / total;
        double width = Math.max(0.3, 100.0 * (span.endNanos() - span.startNanos()) / total);
        String details = span.attributes().entrySet().stream().map(entry -> entry.getKey() + "=" + entry.getValue())
                .collect(Collectors.joining("\n"));
        html.append("<tr title=\"").append(escape(details)).append("\"><td style=\"padding-left:").append(depth * 18 + 4)
                .append("px\"").append(span.error() ? " class=\"error\"" : "").append(">").append(escape(span.name()))
                .append("</td><td>").append(escape(span.service())).append("</td><td>").append(span.kind()).append("</td><td>")
                .append(String.format("%.2f", span.millis())).append("</td><td><div class=\"bar\" style=\"margin-left:")
                .append(String.format("%.2f", left)).append("%;width:").append(String.format("%.2f", width)).append("%\"></div></td></tr>");
        children.getOrDefault(span.spanId(), List.of()).forEach(child -> row(html, child, depth + 1, start, total, children));
    }

    private static String page(String title, String body) {
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title><style>"
                + "body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}"
                + "td,th{border-bottom:1px solid #ddd;padding:4px;text-align:left;vertical-align:top}"
                + ".bar{background:#4a7bd0;height:10px}.error{color:#b00020}</style></head><body><h1>" + escape(title) + "</h1>"
                + body + "</body></html>";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static void answer(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
