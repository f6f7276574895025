package com.adsconnect.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.devinfra.postgres.PostgresLocator;
import com.adsconnect.devinfra.postgres.PostgresServer;
import com.adsconnect.devinfra.tracing.SandboxTraces.ReceivedSpan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Command one of the README, as a test: the packaged services come up healthy under the launcher,
 * a sandbox session token works through the gateway, traces leave every service by OTLP and join
 * up across HTTP and Kafka, and stopping leaves no process behind. Runs in the integration-test
 * phase, after the services' jars are packaged.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackIT {

    private static LocalStack stack;
    private static List<Long> pids;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startStack() throws Exception {
        // a fresh database per run, so that rows of an earlier run cannot make this one pass
        PostgresLocator.findRunning().ifPresent(postgres -> postgres.dropDatabase("local_stack_it"));
        stack = new LocalStack(LocalStackSettings.onFreePorts(
                Path.of(System.getProperty("java.io.tmpdir")).resolve("local-stack-it"),
                Path.of(System.getProperty("local.jar.account-service")),
                Path.of(System.getProperty("local.jar.auth-gateway")),
                Path.of(System.getProperty("local.jar.token-refresher"))).withTraces());
        stack.start();
        pids = stack.servicePids();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void allServicesAreReadyWithinAMinute() {
        assertThat(stack.startupTime()).isLessThan(Duration.ofSeconds(60));
        assertThat(pids).hasSize(3);
    }

    @Test
    void aSandboxSessionTokenReachesAccountServiceThroughTheGateway() throws Exception {
        String token = stack.clerk().sessionToken("user_local_it");

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/me"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"id\":\"user_local_it\"");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    /**
     * The front end's view: the TypeScript client generated from the committed public document
     * (deploy/api-client, type-checked with tsc in the build) signs in with a sandbox token, reads
     * me, patches preferences, starts a connection and reads an invalid patch's problem type, all
     * through the gateway.
     */
    @Test
    void theGeneratedTypeScriptClientWorksThroughTheGateway() throws Exception {
        Path smoke = Path.of("..", "api-client", "dist", "src", "smoke.js").toAbsolutePath().normalize();
        assertThat(smoke).as("deploy/api-client is built before this suite (./mvnw verify builds it)").exists();
        // the build prints it after the suite (deploy/local's pom): what the client checked, in the console
        Path output = Path.of("target", "api-client-smoke.log").toAbsolutePath();
        ProcessBuilder node = new ProcessBuilder("node", smoke.toString()).redirectErrorStream(true).redirectOutput(output.toFile());
        node.environment().put("GATEWAY_URL", stack.gatewayUrl());
        node.environment().put("USER_ID", "user_api_client");
        node.environment().put("SESSION_TOKEN", stack.clerk().sessionToken("user_api_client"));
        Process process = node.start();
        boolean finished = process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String printed = java.nio.file.Files.readString(output);
        System.out.print(printed);
        assertThat(finished).as("the smoke test finished within a minute: " + printed).isTrue();
        assertThat(process.exitValue()).as(printed).isZero();
        assertThat(printed).contains("5 calls answered as the contract says");
    }

    @Test
    void theCallersTraceIdFollowsTheRequestThroughTheGatewayIntoAccountService() throws Exception {
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        String token = stack.clerk().sessionToken("user_local_trace");

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/me"))
                .header("Authorization", "Bearer " + token)
                .header("traceparent", "00-" + traceId + "-b7ad6b7169203331-01")
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        // account-service reports the trace it served the request in; the gateway passed the context on
        assertThat(response.headers().firstValue("traceresponse")).hasValueSatisfying(
                value -> assertThat(value).startsWith("00-" + traceId + "-"));
    }

    @Test
    void oneRequestThroughTheGatewayIsOneTraceWithSpansOfBothServicesExportedByOtlp() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/me"))
                .header("Authorization", "Bearer " + stack.clerk().sessionToken("user_local_otlp")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        String traceId = traceIdOf(response);

        List<ReceivedSpan> trace = awaitTrace(traceId, spans -> services(spans).containsAll(Set.of("auth-gateway", "account-service"))
                && whole(spans));

        assertOneTree(trace);
        ReceivedSpan root = trace.stream().filter(ReceivedSpan::isRoot).findFirst().orElseThrow();
        assertThat(root.service()).isEqualTo("auth-gateway");
        assertThat(root.kind()).isEqualTo("SERVER");
        // account-service served the request the gateway sent it
        ReceivedSpan served = only(trace, span -> span.service().equals("account-service") && span.kind().equals("SERVER"));
        assertThat(byId(trace).get(served.parentSpanId())).satisfies(parent -> {
            assertThat(parent.service()).isEqualTo("auth-gateway");
            assertThat(parent.kind()).isEqualTo("CLIENT");
        });
        assertThat(served.attributes()).containsEntry("uri", "/api/v1/me");
    }

    @Test
    void oneRefreshThroughKafkaIsOneTraceFromTheGatewayThroughTheOutboxIntoTheRefresherAndItsCallsBack() throws Exception {
        String connection = stack.demoIntegrations().get(1).id();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(stack.gatewayUrl() + "/api/v1/integrations/" + connection + "/refresh"))
                .header("Authorization", "Bearer " + stack.clerk().sessionToken(LocalStack.DEMO_USER))
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).contains("\"refresh\":\"CLAIMED\"");
        String traceId = traceIdOf(response);

        // the report's handling in account-service is the last span of the refresh; each service exports its
        // spans in its own batches, so the trace is whole once no span's parent is still missing
        List<ReceivedSpan> trace = awaitTrace(traceId, spans -> spans.stream().anyMatch(span -> span.service().equals("account-service")
                && "/internal/v1/refresh/report-batches".equals(span.attributes().get("uri"))) && whole(spans));

        assertOneTree(trace);
        assertThat(services(trace)).containsExactlyInAnyOrder("auth-gateway", "account-service", "token-refresher");
        Map<String, ReceivedSpan> byId = byId(trace);
        // the outbox relay published the event in the request's trace; the refresher consumed it there
        ReceivedSpan published = only(trace, span -> span.kind().equals("PRODUCER")
                && span.attributes().getOrDefault("messaging.destination.name", "").endsWith("token-expiring"));
        assertThat(published.service()).isEqualTo("account-service");
        assertThat(published.attributes()).containsEntry("messaging.system", "kafka");
        ReceivedSpan consumed = only(trace, span -> span.kind().equals("CONSUMER"));
        assertThat(consumed.service()).isEqualTo("token-refresher");
        assertThat(consumed.parentSpanId()).isEqualTo(published.spanId());
        // the refresher's lease and report calls, each served by account-service, within the consumer's span
        for (String call : List.of("/internal/v1/refresh/lease-batches", "/internal/v1/refresh/report-batches")) {
            ReceivedSpan served = only(trace, span -> span.service().equals("account-service") && call.equals(span.attributes().get("uri")));
            ReceivedSpan client = byId.get(served.parentSpanId());
            assertThat(client.service()).as(call).isEqualTo("token-refresher");
            assertThat(client.kind()).as(call).isEqualTo("CLIENT");
            assertThat(ancestors(client, byId)).as(call).contains(consumed);
        }
    }

    private static String traceIdOf(HttpResponse<String> response) {
        String traceresponse = response.headers().firstValue("traceresponse").orElseThrow();
        return traceresponse.split("-")[1];
    }

    private List<ReceivedSpan> awaitTrace(String traceId, java.util.function.Predicate<List<ReceivedSpan>> complete) {
        // spans leave each service in a batch every second in this run
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> stack.traces().trace(traceId), complete);
    }

    private static Set<String> services(List<ReceivedSpan> trace) {
        return trace.stream().map(ReceivedSpan::service).collect(Collectors.toSet());
    }

    private static Map<String, ReceivedSpan> byId(List<ReceivedSpan> trace) {
        return trace.stream().collect(Collectors.toMap(ReceivedSpan::spanId, Function.identity()));
    }

    private static ReceivedSpan only(List<ReceivedSpan> trace, java.util.function.Predicate<ReceivedSpan> which) {
        List<ReceivedSpan> found = trace.stream().filter(which).toList();
        assertThat(found).as("spans of %s", trace).hasSize(1);
        return found.get(0);
    }

    private static List<ReceivedSpan> ancestors(ReceivedSpan span, Map<String, ReceivedSpan> byId) {
        List<ReceivedSpan> up = new java.util.ArrayList<>();
        for (ReceivedSpan parent = byId.get(span.parentSpanId()); parent != null; parent = byId.get(parent.parentSpanId())) {
            up.add(parent);
        }
        return up;
    }

    /** Whether every span's parent has arrived (the spans of one trace come from several processes' export batches). */
    private static boolean whole(List<ReceivedSpan> trace) {
        Map<String, ReceivedSpan> byId = byId(trace);
        return trace.stream().allMatch(span -> span.isRoot() || byId.containsKey(span.parentSpanId()));
    }

    /** One root, and every other span's parent is in the trace: nothing of it went missing or into another trace. */
    private static void assertOneTree(List<ReceivedSpan> trace) {
        Map<String, ReceivedSpan> byId = byId(trace);
        assertThat(trace.stream().filter(ReceivedSpan::isRoot)).as("roots of %s", trace).hasSize(1);
        assertThat(trace).filteredOn(span -> !span.isRoot()).allSatisfy(span -> assertThat(byId).containsKey(span.parentSpanId()));
    }

    @Test
    void theDemoConnectedASandboxAmazonAccountThroughTheGateway() throws Exception {
        String token = stack.clerk().sessionToken(LocalStack.DEMO_USER);

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/api/v1/amazon/connections"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"id\":\"" + stack.demoConnection().id() + "\"")
                .contains("\"status\":\"ACTIVE\"").contains("\"countryCode\":\"US\"")
                .doesNotContain("Atza|").doesNotContain("Atzr|");
    }

    @Test
    void anInternalServiceGetsTheDemoConnectionsTokenWithItsApiKey() throws Exception {
        String body = "{\"userId\":\"" + LocalStack.DEMO_USER + "\",\"connectionId\":\"" + stack.demoConnection().id() + "\"}";

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.accountServiceUrl() + "/internal/v1/tokens"))
                .header("X-Api-Key", stack.readerApiKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"accessToken\":\"Atza|").contains("\"region\":\"NA\"");
    }

    @Test
    void theRefresherRenewsTheDemoConnectionsTokenBeforeItExpires() throws Exception {
        PostgresServer postgres = PostgresLocator.findRunning().orElseThrow();
        String id = stack.demoConnection().id();
        try (Connection db = DriverManager.getConnection(postgres.jdbcUrl("local_stack_it"), postgres.username(), postgres.password());
                Statement statement = db.createStatement()) {
            statement.execute("UPDATE connections SET access_token_expires_at = now() + interval '3 minutes' WHERE id = '" + id + "'");
            // the scheduler (every 5 s) claims it, the event crosses Kafka, the refresher refreshes at the sandbox Amazon
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                try (ResultSet rows = statement.executeQuery(
                        "SELECT access_token_expires_at > now() + interval '50 minutes' FROM connections WHERE id = '" + id + "'")) {
                    return rows.next() && rows.getBoolean(1);
                }
            });
        }
    }

    @Test
    void theGatewayDoesNotExposeInternalEndpoints() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(stack.gatewayUrl() + "/internal/v1/tokens"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void stoppingLeavesNoServiceProcessRunning() {
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());

        stack.stop();

        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
    }
}
