package com.adsconnect.local;

import static com.adsconnect.local.support.StackClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.mail.SandboxMail;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.devinfra.amazon.SandboxConnectFlow;
import com.adsconnect.devinfra.clerk.ClerkWebhookEvents;
import com.adsconnect.devinfra.google.SandboxGoogle;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoft;
import com.adsconnect.local.support.ConnectionStatusEvents;
import com.adsconnect.local.support.ConnectionStatusEvents.Event;
import com.adsconnect.local.support.StackClient;
import com.adsconnect.local.support.StackClient.Reply;
import com.adsconnect.local.support.StackDb;
import com.adsconnect.local.support.Stacks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One user's life, driven through the gateway exactly as the front end would and through the
 * internal API as an internal service would, against the whole packaged system: sign in, first
 * request, Clerk webhook, Amazon accounts in NA and EU, profiles, switching the default profile,
 * tokens renewed by the refresher, {@code connection-status} events read with a plain Kafka
 * consumer, a revoked grant and its reauthorization, disconnect, account deletion.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UserJourneyIT {

    private static final String USER = "user_journey_" + UUID.randomUUID().toString().substring(0, 8);
    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final AtomicInteger checks = new AtomicInteger();

    private static LocalStack stack;
    private static StackClient gateway;
    private static StackClient accountService;
    private static StackDb db;
    private static ConnectionStatusEvents events;
    private static String na;
    private static String eu;
    private static String euProfile;
    private static String google;
    private static String microsoft;

    @BeforeAll
    static void start() throws Exception {
        stack = new LocalStack(Stacks.forSuite("user-journey-it")
                .withExtraArguments(LocalStackSettings.ACCOUNT_SERVICE, "--token-vault.scheduler-interval=500ms",
                        "--kafka.relay-interval=100ms", "--notifications.batch-window=1s", "--notifications.delivery-interval=500ms"));
        stack.start();
        gateway = new StackClient(stack.gatewayUrl());
        accountService = new StackClient(stack.accountServiceUrl());
        db = new StackDb(stack);
        events = new ConnectionStatusEvents(stack.kafkaBootstrapServers(), "amazon.connection-status");
    }

    @AfterAll
    static void stop() {
        System.out.printf("user journey: %d checks passed%n", checks.get());
        if (events != null) {
            events.close();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    private static String session() {
        return stack.clerk().sessionToken(USER, Map.of("email", "jane@example.com", "first_name", "Jane"));
    }

    private static Reply api(String method, String path, String contentType, String body) {
        return gateway.send(method, path, bearer(session()), contentType, body);
    }

    private static Reply token(String selector) {
        return accountService.send("POST", "/internal/v1/tokens", Map.of("X-Api-Key", stack.readerApiKey()), "application/json",
                "{\"userId\":\"" + USER + "\"," + selector + "}");
    }

    /**
     * The token API's answer once it reflects a change just committed: it serves from memory what
     * PostgreSQL has not yet notified it changed, for as long as the notification takes.
     */
    private static Reply tokenOnceNotified(String selector, Predicate<Reply> changed) {
        return await("the token API notified of the change").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> token(selector), changed);
    }

    private static void check(boolean condition, String what) {
        assertThat(condition).as(what).isTrue();
        checks.incrementAndGet();
    }

    @Test
    @Order(1)
    void theFirstRequestWithASessionTokenProvisionsTheUser() {
        Reply me = api("GET", "/api/v1/me", null, null);
        check(me.status() == 200, "GET /api/v1/me " + me);
        check(USER.equals(me.json("$.id")), "the user id is the token's sub");
        check("jane@example.com".equals(me.json("$.email")), "provisioned from the token's claims");
        check(db.count("SELECT count(*) FROM users WHERE id = ?", USER) == 1, "one user row");
    }

    @Test
    @Order(2)
    void clerksWebhookUpdatesTheProfile() {
        String body = ClerkWebhookEvents.userEvent("user.updated", USER, "janet@example.com", "Janet", Instant.now().toEpochMilli());
        Reply delivered = gateway.send("POST", "/webhooks/clerk", ClerkWebhookEvents.signedHeaders(stack.webhookSecret(),
                ClerkWebhookEvents.newMessageId(), Instant.now().getEpochSecond(), body), "application/json", body);
        check(delivered.status() == 200, "webhook accepted " + delivered);
        Reply me = api("GET", "/api/v1/me", null, null);
        check("Janet".equals(me.json("$.firstName")), "first name from the webhook");
        check("janet@example.com".equals(me.json("$.email")), "primary email from the webhook");
    }

    @Test
    @Order(3)
    void connectsAmazonAccountsInNaAndEuAndListsTheirProfiles() throws Exception {
        na = new SandboxConnectFlow(stack.gatewayUrl()).connect(session(), "NA").id();
        eu = new SandboxConnectFlow(stack.gatewayUrl()).connect(session(), "EU").id();
        Reply list = api("GET", "/api/v1/amazon/connections", null, null);
        check(list.status() == 200, "list connections");
        List<String> ids = list.json("$[*].id");
        check(ids.containsAll(List.of(na, eu)) && ids.size() == 2, "both connections listed: " + ids);
        List<String> statuses = list.json("$[*].status");
        check(statuses.stream().allMatch("ACTIVE"::equals), "both ACTIVE");
        List<String> euProfiles = api("GET", "/api/v1/amazon/connections/" + eu, null, null).json("$.profiles[*].profileId");
        check(!euProfiles.isEmpty(), "EU profiles listed");
        euProfile = euProfiles.getFirst();
        check(stack.amazon().issuedTokens().stream().noneMatch(list.body()::contains) && !list.body().contains("\"accessToken\":")
                        && !list.body().contains("\"refreshToken\":"),
                "no token material in the public API");
        Reply me = api("GET", "/api/v1/me", null, null);
        check(((Number) me.json("$.connections.ACTIVE")).intValue() == 2, "the dashboard counts two active connections");
    }

    @Test
    @Order(4)
    void connectsGoogleAdsAndMicrosoftAdvertisingAndSeesEveryIntegrationWithItsTokens() throws Exception {
        SandboxConnectFlow flow = new SandboxConnectFlow(stack.gatewayUrl());
        google = flow.connectProvider(session(), "google", Map.of()).id();
        microsoft = flow.connectProvider(session(), "microsoft", Map.of()).id();
        Reply list = api("GET", "/api/v1/integrations", null, null);
        check(list.status() == 200, "list integrations " + list);
        List<String> providers = list.json("$[*].provider");
        check(providers.equals(List.of("AMAZON", "AMAZON", "GOOGLE", "MICROSOFT")), "every provider's connections, oldest first: " + providers);
        List<String> statuses = list.json("$[*].status");
        check(statuses.stream().allMatch("ACTIVE"::equals), "all ACTIVE");
        check(api("GET", "/api/v1/amazon/connections", null, null).<List<String>>json("$[*].provider").equals(List.of("AMAZON", "AMAZON")),
                "the Amazon routes, kept for existing clients, list Amazon's only");
        List<String> issued = new java.util.ArrayList<>(stack.google().issuedTokens());
        issued.addAll(stack.microsoft().issuedTokens());
        check(issued.stream().noneMatch(list.body()::contains), "no Google or Microsoft token in the public API");

        Reply googleToken = token("\"connectionId\":\"" + google + "\",\"profileId\":\"1234567890\"");
        check(googleToken.status() == 200 && "GOOGLE".equals(googleToken.json("$.provider")), "a Google token " + googleToken);
        check("1234567890".equals(googleToken.json("$.callContext.login-customer-id")), "with the login-customer-id to send");
        Reply microsoftToken = token("\"connectionId\":\"" + microsoft + "\",\"profileId\":\"150000001\"");
        check(microsoftToken.status() == 200 && "MICROSOFT".equals(microsoftToken.json("$.provider")), "a Microsoft token " + microsoftToken);
        check("300000001".equals(microsoftToken.json("$.callContext.CustomerId"))
                && "150000001".equals(microsoftToken.json("$.callContext.CustomerAccountId")), "with CustomerId and CustomerAccountId");
        check(!googleToken.body().contains(SandboxGoogle.DEVELOPER_TOKEN) && !microsoftToken.body().contains(SandboxMicrosoft.DEVELOPER_TOKEN)
                && !googleToken.body().contains(SandboxGoogle.CLIENT_SECRET) && !microsoftToken.body().contains(SandboxMicrosoft.CLIENT_SECRET),
                "never our developer tokens or client secrets");

        for (String connection : List.of(google, microsoft)) {
            Event connected = events.await(e -> connection.equals(e.key()) && "CONNECTED".equals(e.field("reason")), Duration.ofSeconds(30));
            check(connection.equals(google) ? "GOOGLE".equals(connected.field("provider")) : "MICROSOFT".equals(connected.field("provider")),
                    "the CONNECTED event names the provider");
        }

        // the user asks for a refresh now: the refresher renews the Microsoft token (rotating its refresh token)
        String before = microsoftToken.json("$.accessToken");
        Reply refresh = api("PUT", "/api/v1/integrations/" + microsoft + "/refresh", null, null);
        check(refresh.status() == 202 && "CLAIMED".equals(refresh.json("$.refresh")), "refresh accepted " + refresh);
        await().atMost(Duration.ofSeconds(60)).until(() -> !before.equals(token("\"connectionId\":\"" + microsoft + "\"").json("$.accessToken")));
        check("ACTIVE".equals(api("GET", "/api/v1/integrations/" + microsoft, null, null).json("$.status")), "still ACTIVE after the refresh");
    }

    @Test
    @Order(5)
    void switchingTheDefaultProfileIsWhatInternalServicesUse() {
        Reply patched = api("PATCH", "/api/v1/me/preferences", MERGE_PATCH, "{\"dashboard\":{\"defaultProfileId\":\"" + euProfile + "\"}}");
        check(patched.status() == 200, "preferences patched " + patched);
        check(euProfile.equals(api("GET", "/api/v1/me/preferences", null, null).json("$.preferences.dashboard.defaultProfileId")),
                "the default profile is the EU one");
        Reply token = token("\"profileId\":\"" + euProfile + "\"");
        check(token.status() == 200, "internal token by profile " + token);
        check("EU".equals(token.json("$.region")), "the profile's region");
        check(eu.equals(token.json("$.connectionId")), "the profile's connection");
        check(euProfile.equals(token.json("$.profileId")), "the Amazon-Advertising-API-Scope value");
        check(((String) token.json("$.apiBaseUrl")).contains("/eu"), "the EU Ads API");
        check(SandboxAmazon.CLIENT_ID.equals(token.json("$.clientId")), "the Amazon-Advertising-API-ClientId value");
    }

    @Test
    @Order(6)
    void tokensNearExpiryAreRenewedByTheRefresher() {
        String before = token("\"connectionId\":\"" + na + "\"").json("$.accessToken");
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '3 minutes' WHERE id = ?::uuid", na);
        await().atMost(Duration.ofSeconds(60)).until(() -> !before.equals(token("\"connectionId\":\"" + na + "\"").json("$.accessToken")));
        Reply after = token("\"connectionId\":\"" + na + "\"");
        check(Instant.parse(after.json("$.expiresAt")).isAfter(Instant.now().plus(Duration.ofMinutes(50))), "a fresh hour-long token");
        check("ACTIVE".equals(api("GET", "/api/v1/amazon/connections/" + na, null, null).json("$.status")), "still ACTIVE");
    }

    @Test
    @Order(7)
    void connectionStatusEventsReachAPlainKafkaConsumer() {
        for (String connection : List.of(na, eu)) {
            Event connected = events.await(e -> connection.equals(e.key()) && "CONNECTED".equals(e.field("reason")), Duration.ofSeconds(30));
            check("ACTIVE".equals(connected.field("status")), "CONNECTED event says ACTIVE");
            check(USER.equals(connected.field("userId")), "event names the user");
            check("1.0".equals(connected.attributes().get("ce_specversion")), "CloudEvents binary mode");
            check(("connections/" + connection).equals(connected.attributes().get("ce_subject")), "subject names the connection");
        }
    }

    @Test
    @Order(8)
    void aRevokedGrantNeedsReauthorizationAndReauthorizingRestoresTheConnection() throws Exception {
        stack.amazon().failNext(SandboxAmazon.Endpoint.TOKEN, 1, new SandboxFault.InvalidGrant());
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '3 minutes' WHERE id = ?::uuid", eu);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> "REAUTH_REQUIRED".equals(api("GET", "/api/v1/amazon/connections/" + eu, null, null).json("$.status")));
        Reply view = api("GET", "/api/v1/amazon/connections/" + eu, null, null);
        check("invalid_grant".equals(view.json("$.health.lastError.code")), "the provider's error is shown");
        check(view.json("$.health.warning") != null, "the UI gets a reconnect warning");
        Reply refused = tokenOnceNotified("\"connectionId\":\"" + eu + "\"", reply -> reply.status() != 200);
        check(refused.status() == 409, "internal API refuses a connection that needs reauthorization " + refused);
        check(Integer.valueOf(409).equals(refused.json("$.status")) && "REAUTH_REQUIRED".equals(refused.json("$.connectionStatus")),
                "and says why, in an extension beside the HTTP status " + refused);
        Event event = events.await(e -> eu.equals(e.key()) && "REAUTH_REQUIRED".equals(e.field("reason")), Duration.ofSeconds(30));
        check("invalid_grant".equals(event.field("errorCode")), "REAUTH_REQUIRED event carries invalid_grant");

        // the user hears about it: one email, one in-app notification, which they read
        await().atMost(Duration.ofSeconds(30)).until(() -> !stack.mail().receivedFor("janet@example.com").isEmpty());
        var emails = stack.mail().receivedFor("janet@example.com");
        check(emails.size() == 1, "one email " + emails.size());
        check("Amazon Ads needs to be reconnected".equals(emails.getFirst().getSubject()), "its subject says what to do");
        check(SandboxMail.part(emails.getFirst(), "text/plain").contains("/integrations/" + eu + "?action=reconnect"),
                "it links to the connection");
        check(emails.getFirst().getHeader("List-Unsubscribe") != null, "with a one-click unsubscribe");
        Reply inbox = api("GET", "/api/v1/me/notifications?unread=true", null, null);
        check(inbox.status() == 200 && Integer.valueOf(1).equals(inbox.json("$.items.length()")), "one unread notification " + inbox);
        check("connection.reauth_required".equals(inbox.json("$.items[0].type")), "of the re-authorization kind");
        check(eu.equals(inbox.json("$.items[0].connectionId")), "about the EU connection");
        check(Integer.valueOf(1).equals(api("GET", "/api/v1/me", null, null).json("$.unreadNotifications")), "counted in the profile");
        Reply dashboard = api("GET", "/api/v1/me/dashboard", null, null);
        check(dashboard.status() == 200, "the dashboard " + dashboard);
        check(Integer.valueOf(1).equals(dashboard.json("$.notifications.length()")), "shows the notification");
        check(Integer.valueOf(4).equals(dashboard.json("$.connections.length()")), "and all four connections");
        check(dashboard.json("$.auditEvents[0].action") != null, "and the latest audit events");
        String notification = inbox.json("$.items[0].id");
        Reply read = api("POST", "/api/v1/me/notifications/" + notification + "/read", null, null);
        check(read.status() == 200 && read.json("$.readAt") != null, "marked read " + read);
        check(Integer.valueOf(0).equals(api("GET", "/api/v1/me", null, null).json("$.unreadNotifications")), "nothing unread");
        Reply history = api("GET", "/api/v1/me/connections/" + eu + "/history", null, null);
        check(history.status() == 200 && "REAUTH_REQUIRED".equals(history.json("$.items[0].kind")), "the timeline shows it " + history);
        check("invalid_grant".equals(history.json("$.items[0].errorCode")), "with the provider's error");
        check(((List<?>) history.json("$.items[*].kind")).contains("CONNECTED"), "back to the connection");

        new SandboxConnectFlow(stack.gatewayUrl()).reauthorize(session(), eu);
        check("REAUTHORIZED".equals(api("GET", "/api/v1/me/connections/" + eu + "/history", null, null).json("$.items[0].kind")),
                "the timeline records the re-authorization");
        check("ACTIVE".equals(api("GET", "/api/v1/amazon/connections/" + eu, null, null).json("$.status")), "ACTIVE after reauthorizing");
        check(tokenOnceNotified("\"connectionId\":\"" + eu + "\"", reply -> reply.status() == 200).status() == 200, "tokens are served again");
        events.await(e -> eu.equals(e.key()) && "REAUTHORIZED".equals(e.field("reason")), Duration.ofSeconds(30));
        checks.incrementAndGet();
    }

    @Test
    @Order(9)
    void supportFindsTheUserSeesWhyTheConnectionFailsForcesARefreshAndSeesItRecover() {
        // Google's token endpoint fails: the user's refresh ends in REFRESH_FAILING with a backoff
        stack.google().failFor(SandboxGoogle.Endpoint.TOKEN, Duration.ofMinutes(10), new SandboxFault.ServerError(503));
        try {
            check(api("PUT", "/api/v1/integrations/" + google + "/refresh", null, null).status() == 202, "the user asks for a refresh");
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    "REFRESH_FAILING".equals(api("GET", "/api/v1/integrations/" + google, null, null).json("$.status")));
        } finally {
            stack.google().reset();
        }
        Map<String, String> key = Map.of("X-Api-Key", stack.adminApiKey());
        // "my Google Ads stopped syncing", writes janet@example.com
        Reply users = accountService.get("/internal/v1/admin/users?email=JANET@example.com", key);
        check(users.status() == 200 && USER.equals(users.json("$.users[0].id")), "support finds the user by email " + users);
        check(Integer.valueOf(1).equals(users.json("$.users[0].connections.REFRESH_FAILING")), "with one failing connection");
        Reply failing = accountService.get("/internal/v1/admin/connections?userId=" + USER + "&status=refresh_failing", key);
        check(google.equals(failing.json("$.items[0].id")), "which is the Google Ads one " + failing);
        Reply diagnostics = accountService.get("/internal/v1/admin/connections/" + google, key);
        check("REFRESH_FAILED".equals(diagnostics.json("$.timeline[0].kind")), "its timeline shows the failed refresh " + diagnostics);
        check(diagnostics.json("$.timeline[0].errorCode") != null, "with the provider's error");
        check(diagnostics.json("$.refresh.nextAttemptAt") != null, "and when it would be tried again");
        check(!diagnostics.body().contains("ya29.") && !diagnostics.body().contains("1//"), "and no token material");

        // Google is back: support does not wait for the backoff
        Reply forced = accountService.send("POST", "/internal/v1/admin/connections/" + google + "/refresh", key, null, null);
        check(forced.status() == 200 && "CLAIMED".equals(forced.json("$.refresh")), "support forces a refresh " + forced);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                "ACTIVE".equals(accountService.get("/internal/v1/admin/connections/" + google, key).json("$.connection.status")));
        check("RECOVERED".equals(accountService.get("/internal/v1/admin/connections/" + google, key).json("$.timeline[0].kind")),
                "the timeline shows the recovery");
        check(db.count("SELECT count(*) FROM admin_audit_events WHERE key_name = 'support' AND target LIKE ?",
                "connections/" + google + "%") >= 3, "support's calls are in the admin audit trail");
        int throughGateway = gateway.get("/internal/v1/admin/users?email=janet@example.com", key).status();
        check(throughGateway == 404 || throughGateway == 400, "the gateway does not route the admin API: " + throughGateway);
    }

    @Test
    @Order(10)
    void disconnectingErasesTheTokens() {
        Reply disconnected = api("DELETE", "/api/v1/amazon/connections/" + na, null, null);
        check(disconnected.status() == 200 && "DISCONNECTED".equals(disconnected.json("$.status")), "disconnected " + disconnected);
        check(db.count("SELECT count(*) FROM connection_tokens WHERE connection_id = ?::uuid", na) == 0, "token material erased");
        check(tokenOnceNotified("\"connectionId\":\"" + na + "\"", reply -> reply.status() != 200).status() == 409,
                "no token for a disconnected connection");
        events.await(e -> na.equals(e.key()) && "DISCONNECTED".equals(e.field("reason")), Duration.ofSeconds(30));
        checks.incrementAndGet();
    }

    @Test
    @Order(11)
    void deletingTheAccountEndsEverything() {
        Reply deleted = api("DELETE", "/api/v1/me", null, null);
        check(deleted.status() == 204, "account deleted " + deleted);
        Reply after = api("GET", "/api/v1/me", null, null);
        check(after.status() == 410, "the user's tokens now get 410 " + after);
        check("https://docs.ads-connect.dev/problems/user-deleted".equals(after.json("$.type")), "problem type user-deleted");
        check(db.count("SELECT count(*) FROM connection_tokens t JOIN connections c ON c.id = t.connection_id WHERE c.user_id = ?", USER) == 0,
                "no token material left");
        check(tokenOnceNotified("\"connectionId\":\"" + eu + "\"", reply -> reply.status() != 200).status() != 200,
                "internal API serves nothing for a deleted user");
        events.await(e -> eu.equals(e.key()) && "DISCONNECTED".equals(e.field("reason")), Duration.ofSeconds(30));
        checks.incrementAndGet();
    }
}
