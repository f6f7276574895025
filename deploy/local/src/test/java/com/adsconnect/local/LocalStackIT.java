package com.adsconnect.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.devinfra.postgres.PostgresLocator;
import com.adsconnect.devinfra.postgres.PostgresServer;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Command one of the README, as a test: the packaged services come up healthy under the launcher,
 * a sandbox session token works through the gateway, and stopping leaves no process behind.
 * Runs in the integration-test phase, after the services' jars are packaged.
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
                Path.of(System.getProperty("local.jar.token-refresher"))));
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
