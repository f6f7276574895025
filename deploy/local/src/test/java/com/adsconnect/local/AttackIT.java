package com.adsconnect.local;

import static com.adsconnect.local.support.StackClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.amazon.SandboxConnectFlow;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.devinfra.clerk.ClerkWebhookEvents;
import com.adsconnect.devinfra.clerk.HostileTokens;
import com.adsconnect.local.support.StackClient;
import com.adsconnect.local.support.StackClient.Reply;
import com.adsconnect.local.support.StackDb;
import com.adsconnect.local.support.Stacks;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What an attacker can try from outside, through the gateway, against the packaged system: every
 * hostile token, another user's resources, forged and replayed webhooks, stolen or reused OAuth
 * states, the internal API, oversized and malformed bodies; and afterwards, no secret in any log.
 * Each refusal is checked for its exact status and that it changed nothing; the counts are printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AttackIT {

    private static final String ALICE = "user_alice_" + UUID.randomUUID().toString().substring(0, 8);
    private static final String MALLORY = "user_mallory_" + UUID.randomUUID().toString().substring(0, 8);
    private static final Map<String, Integer> refused = new ConcurrentHashMap<>();
    private static final Set<String> sessionTokens = ConcurrentHashMap.newKeySet();

    private static LocalStack stack;
    private static StackClient gateway;
    private static StackClient accountService;
    private static StackDb db;
    private static String aliceConnection;
    /** Slack incoming webhooks set in the suite: their URLs are secrets the log scan looks for. */
    private static final List<String> slackHooks = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        // DEBUG for all of Spring, as an operator chasing a problem would switch on: the log scan must still find no secret
        String debug = "--logging.level.org.springframework=DEBUG";
        stack = new LocalStack(Stacks.forSuite("attack-it")
                // every request traced and exported: the secret scan reads the spans too
                .withTraces()
                // a webhook budget that lasts the suite and does not refill while it runs
                .withExtraArguments(LocalStackSettings.GATEWAY, debug, "--rate-limit.plans.webhooks.capacity=80",
                        "--rate-limit.plans.webhooks.period=1h")
                .withExtraArguments(LocalStackSettings.ACCOUNT_SERVICE, debug)
                .withExtraArguments(LocalStackSettings.TOKEN_REFRESHER, debug));
        stack.start();
        gateway = new StackClient(stack.gatewayUrl());
        accountService = new StackClient(stack.accountServiceUrl());
        db = new StackDb(stack);
        aliceConnection = new SandboxConnectFlow(stack.gatewayUrl()).connect(session(ALICE), "NA").id();
        as(ALICE, "PATCH", "/api/v1/me/preferences", "application/merge-patch+json", "{\"locale\":\"de-DE\"}");
        as(MALLORY, "GET", "/api/v1/me", null, null);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.stop();
        }
        int total = refused.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf("attack suite: %d attempts refused%n", total);
        new java.util.TreeMap<>(refused).forEach((kind, count) -> System.out.printf("  %-62s %d%n", kind, count));
    }

    private static String session(String user) {
        String token = stack.clerk().sessionToken(user);
        sessionTokens.add(token);
        return token;
    }

    private static Reply as(String user, String method, String path, String contentType, String body) {
        return gateway.send(method, path, bearer(session(user)), contentType, body);
    }

    /** Asserts the refusal's status and problem type, and counts it. */
    private static void refusedWith(String kind, Reply reply, int status, String problemType) {
        assertThat(reply.status()).as(kind + ": " + reply).isEqualTo(status);
        if (problemType != null) {
            assertThat((String) reply.json("$.type")).as(kind).isEqualTo("https://docs.ads-connect.dev/problems/" + problemType);
        }
        refused.merge(kind, 1, Integer::sum);
    }

    /** Everything an attacker could have changed, as one comparable value. */
    private static String snapshot() {
        return db.text("""
                SELECT concat_ws('|', (SELECT count(*) FROM users), (SELECT count(*) FROM connections),
                  (SELECT string_agg(id || ':' || status || ':' || updated_at, ',' ORDER BY id) FROM connections),
                  (SELECT count(*) FROM connection_tokens), (SELECT count(*) FROM user_preference_history),
                  (SELECT string_agg(id || ':' || coalesce(first_name, '') || ':' || updated_at, ',' ORDER BY id) FROM users),
                  (SELECT count(*) FROM oauth_states WHERE used_at IS NULL))""");
    }

    @Test
    @Order(1)
    void hostileTokensAreRefusedOnEveryRoute() {
        String before = snapshot();
        Map<String, String> hostile = new HostileTokens(stack.clerk()).forUser(ALICE);
        sessionTokens.addAll(hostile.values());
        List<String[]> routes = List.of(new String[] {"GET", "/api/v1/me"}, new String[] {"PATCH", "/api/v1/me"},
                new String[] {"DELETE", "/api/v1/me"}, new String[] {"GET", "/api/v1/amazon/connections"},
                new String[] {"POST", "/api/v1/amazon/connections"}, new String[] {"DELETE", "/api/v1/amazon/connections/" + aliceConnection},
                new String[] {"PATCH", "/api/v1/me/preferences"}, new String[] {"GET", "/api/v1/me/audit-events"});
        for (var token : hostile.entrySet()) {
            for (String[] route : routes) {
                Reply reply = gateway.send(route[0], route[1], bearer(token.getValue()), "application/json", "{\"region\":\"NA\"}");
                refusedWith("hostile token (" + token.getKey() + ")", reply, 401, "unauthorized");
            }
        }
        // cookie tossing: a second __session cookie, planted by a sibling domain, in either order
        for (String cookies : List.of("__session=" + session(MALLORY) + "; __session=" + session(ALICE),
                "__session=" + session(ALICE) + "; __session=" + session(MALLORY))) {
            refusedWith("two __session cookies (cookie tossing)", gateway.send("GET", "/api/v1/amazon/connections",
                    Map.of("Cookie", cookies), null, null), 400, "ambiguous-session-cookie");
            refusedWith("two __session cookies (cookie tossing)", gateway.send("PATCH", "/api/v1/me",
                    Map.of("Cookie", cookies), "application/json", "{\"displayName\":\"Mallory\"}"),
                    400, "ambiguous-session-cookie");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    @Order(2)
    void anotherUsersResourcesAreInvisible() {
        String before = snapshot();
        String id = aliceConnection;
        refusedWith("cross-user: read a connection", as(MALLORY, "GET", "/api/v1/amazon/connections/" + id, null, null), 404, "not-found");
        refusedWith("cross-user: sync a connection", as(MALLORY, "POST", "/api/v1/amazon/connections/" + id + "/sync", null, null), 404, "not-found");
        refusedWith("cross-user: reauthorize a connection",
                as(MALLORY, "POST", "/api/v1/amazon/connections/" + id + "/reauthorize", null, null), 404, "not-found");
        refusedWith("cross-user: disconnect a connection", as(MALLORY, "DELETE", "/api/v1/amazon/connections/" + id, null, null), 404, "not-found");
        refusedWith("cross-user: restore a preferences revision",
                as(MALLORY, "POST", "/api/v1/me/preferences/history/2/restore", null, null), 404, "not-found");
        List<String> listed = as(MALLORY, "GET", "/api/v1/amazon/connections", null, null).json("$[*].id");
        assertThat(listed).doesNotContain(id);
        List<String> audited = as(MALLORY, "GET", "/api/v1/me/audit-events", null, null).json("$..userId");
        assertThat(audited).allMatch(MALLORY::equals);
        refusedWith("cross-user: tokens through the internal API with a session token",
                accountService.send("POST", "/internal/v1/tokens", bearer(session(MALLORY)), "application/json",
                        "{\"userId\":\"" + ALICE + "\",\"connectionId\":\"" + id + "\"}"), 401, "unauthorized");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    @Order(3)
    void forgedAndReplayedWebhooksChangeNothing() {
        String body = ClerkWebhookEvents.userEvent("user.updated", ALICE, "alice@example.com", "Alice", Instant.now().toEpochMilli());
        String id = ClerkWebhookEvents.newMessageId();
        long now = Instant.now().getEpochSecond();
        Map<String, String> signed = ClerkWebhookEvents.signedHeaders(stack.webhookSecret(), id, now, body);
        String signature = signed.get("svix-signature");
        assertThat(gateway.send("POST", "/webhooks/clerk", signed, "application/json", body).status()).isEqualTo(200);
        String before = snapshot();

        String forged = ClerkWebhookEvents.userEvent("user.updated", ALICE, "mallory@evil.example", "Mallory", Instant.now().toEpochMilli() + 1);
        refusedWith("webhook: body changed after signing", webhook(id + "x", now, signature, forged), 401, "webhook-verification-failed");
        refusedWith("webhook: signed with another secret", webhook(ClerkWebhookEvents.newMessageId(), now,
                ClerkWebhookEvents.sign("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]), id, now, forged), forged),
                401, "webhook-verification-failed");
        long stale = now - 600;
        String oldId = ClerkWebhookEvents.newMessageId();
        refusedWith("webhook: timestamp 10 minutes old", gateway.send("POST", "/webhooks/clerk",
                ClerkWebhookEvents.signedHeaders(stack.webhookSecret(), oldId, stale, forged), "application/json", forged),
                401, "webhook-verification-failed");
        refusedWith("webhook: no signature", gateway.send("POST", "/webhooks/clerk", Map.of(), "application/json", forged),
                401, "webhook-verification-failed");
        Reply replay = gateway.send("POST", "/webhooks/clerk", signed, "application/json", body);
        assertThat(replay.status()).as("a replay is acknowledged, not applied twice").isEqualTo(200);
        assertThat((String) replay.json("$.status")).isEqualTo("duplicate");
        refused.merge("webhook: replay (acknowledged, not applied)", 1, Integer::sum);
        assertThat(snapshot()).isEqualTo(before);
        // anonymous oversized uploads are the gateway's own refusals: they open no breaker, the API keeps serving
        String beforeUploads = snapshot();
        byte[] oversized = new byte[300 * 1024];
        for (int i = 0; i < 40; i++) {
            refusedWith("webhook: oversized streamed upload", gateway.sendStreamed("POST", "/webhooks/clerk", Map.of(),
                    "application/json", oversized), 413, "payload-too-large");
        }
        assertThat(as(ALICE, "GET", "/api/v1/me", null, null).status()).as("the API after forty oversized uploads").isEqualTo(200);
        assertThat(snapshot()).isEqualTo(beforeUploads);
    }

    private static Reply webhook(String id, long timestamp, String signature, String body) {
        return gateway.send("POST", "/webhooks/clerk", Map.of("svix-id", id, "svix-timestamp", String.valueOf(timestamp),
                "svix-signature", signature), "application/json", body);
    }

    @Test
    @Order(4)
    void oauthStatesCannotBeStolenOrReused() throws Exception {
        Map<String, String> alices = consentFor(ALICE, "EU");
        String before = snapshot();
        refusedWith("oauth: another user's state", as(MALLORY, "POST", "/api/v1/amazon/connections/callback", "application/json",
                callback(alices)), 400, "oauth-state-invalid");
        refusedWith("oauth: made-up state", as(ALICE, "POST", "/api/v1/amazon/connections/callback", "application/json",
                callback(Map.of("code", alices.get("code"), "state", "forged-" + UUID.randomUUID()))), 400, "oauth-state-invalid");
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = ?", MALLORY)).isZero();
        assertThat(snapshot()).as("a stolen state is not even spent: Alice can still finish").isEqualTo(before);
        assertThat(as(ALICE, "POST", "/api/v1/amazon/connections/callback", "application/json", callback(alices)).status()).isEqualTo(200);

        // code injection: Alice's code (stolen from her redirect) in Mallory's own flow, with Mallory's valid state
        Map<String, String> victims = consentFor(ALICE, "EU");
        Map<String, String> mallorys = consentFor(MALLORY, "EU");
        String beforeInjection = snapshot();
        Reply injected = as(MALLORY, "POST", "/api/v1/amazon/connections/callback", "application/json",
                callback(Map.of("code", victims.get("code"), "state", mallorys.get("state"))));
        refusedWith("oauth: stolen code in the attacker's own flow (PKCE)", injected, 400, "provider-authorization-failed");
        assertThat((String) injected.json("$.providerError")).isEqualTo("invalid_grant");
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = ?", MALLORY)).isZero();
        assertThat(db.count("SELECT count(*) FROM oauth_states WHERE user_id = ? AND used_at IS NULL", MALLORY))
                .as("Mallory's state is spent").isZero();
        assertThat(db.count("SELECT count(*) FROM connections")).as("no connection came of it")
                .isEqualTo(Long.parseLong(beforeInjection.split("\\|")[1]));

        Map<String, String> used = consentFor(ALICE, "FE");
        assertThat(as(ALICE, "POST", "/api/v1/amazon/connections/callback", "application/json", callback(used)).status()).isEqualTo(200);
        String afterUse = snapshot();
        refusedWith("oauth: state used twice", as(ALICE, "POST", "/api/v1/amazon/connections/callback", "application/json",
                callback(used)), 400, "oauth-state-invalid");
        assertThat(snapshot()).isEqualTo(afterUse);

        Map<String, String> expired = consentFor(ALICE, "NA");
        db.execute("UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE used_at IS NULL");
        refusedWith("oauth: expired state", as(ALICE, "POST", "/api/v1/amazon/connections/callback", "application/json",
                callback(expired)), 400, "oauth-state-invalid");
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = ?", ALICE)).as("NA, and the legitimate EU and FE")
                .isEqualTo(3);

        // re-authorizing opens states as connecting does: it spends the same tight budget
        String flooder = "user_attack_reauthorize_flood";
        as(flooder, "GET", "/api/v1/me", null, null);
        String beforeFlood = snapshot();
        int allowed = 0;
        Reply reply;
        while ((reply = as(flooder, "POST", "/api/v1/amazon/connections/" + UUID.randomUUID() + "/reauthorize", null, null))
                .status() != 429 && allowed < 50) {
            allowed++;
        }
        assertThat(allowed).as("re-authorizations before the connect budget ran out").isEqualTo(10);
        refusedWith("oauth: re-authorization flood (connect budget)", reply, 429, "rate-limited");
        assertThat(snapshot()).isEqualTo(beforeFlood);
    }

    /**
     * The OAuth attacks of the Amazon flow, against Google and Microsoft through the provider-neutral
     * routes: a state stolen from another user, a made-up state, a code stolen from a victim's
     * redirect and injected into the attacker's own flow (PKCE refuses it at the provider), a state
     * used twice; and every operation on another user's connection. Fresh users per provider: the
     * connect budget is per user.
     */
    @Test
    @Order(5)
    void oauthAttacksFailForGoogleAndMicrosoftToo() throws Exception {
        for (String provider : List.of("google", "microsoft")) {
            String victim = "user_attack_victim_" + provider + "_" + UUID.randomUUID().toString().substring(0, 6);
            String attacker = "user_attack_attacker_" + provider + "_" + UUID.randomUUID().toString().substring(0, 6);
            as(attacker, "GET", "/api/v1/me", null, null);
            Map<String, String> victims = providerConsentFor(victim, provider);
            String before = snapshot();
            refusedWith("oauth (" + provider + "): another user's state", as(attacker, "POST", "/api/v1/integrations/callback",
                    "application/json", callback(victims)), 400, "oauth-state-invalid");
            refusedWith("oauth (" + provider + "): made-up state", as(victim, "POST", "/api/v1/integrations/callback",
                    "application/json", callback(Map.of("code", victims.get("code"), "state", "forged-" + UUID.randomUUID()))),
                    400, "oauth-state-invalid");
            assertThat(snapshot()).as("nothing changed, the victim's state not even spent").isEqualTo(before);
            Reply legitimate = as(victim, "POST", "/api/v1/integrations/callback", "application/json", callback(victims));
            assertThat(legitimate.status()).as(legitimate.toString()).isEqualTo(200);
            String victimsConnection = legitimate.json("$.id");

            // the victim's code, stolen from a redirect, in the attacker's own flow with the attacker's valid state
            Map<String, String> stolen = providerConsentFor(victim, provider);
            Map<String, String> attackers = providerConsentFor(attacker, provider);
            String beforeInjection = snapshot();
            Reply injected = as(attacker, "POST", "/api/v1/integrations/callback", "application/json",
                    callback(Map.of("code", stolen.get("code"), "state", attackers.get("state"))));
            refusedWith("oauth (" + provider + "): stolen code in the attacker's own flow (PKCE)", injected, 400,
                    "provider-authorization-failed");
            assertThat((String) injected.json("$.providerError")).isEqualTo("invalid_grant");
            assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = ?", attacker)).isZero();
            assertThat(db.count("SELECT count(*) FROM connections")).isEqualTo(Long.parseLong(beforeInjection.split("\\|")[1]));

            Map<String, String> once = providerConsentFor(attacker, provider);
            assertThat(as(attacker, "POST", "/api/v1/integrations/callback", "application/json", callback(once)).status()).isEqualTo(200);
            String afterUse = snapshot();
            refusedWith("oauth (" + provider + "): state used twice", as(attacker, "POST", "/api/v1/integrations/callback",
                    "application/json", callback(once)), 400, "oauth-state-invalid");
            assertThat(snapshot()).isEqualTo(afterUse);

            // the attacker on the victim's connection, through every integrations route
            String beforeCrossUser = snapshot();
            String path = "/api/v1/integrations/" + victimsConnection;
            for (String[] call : List.of(new String[] {"GET", path}, new String[] {"PATCH", path}, new String[] {"POST", path + "/sync"},
                    new String[] {"POST", path + "/reauthorize"}, new String[] {"PUT", path + "/refresh"}, new String[] {"DELETE", path})) {
                refusedWith("cross-user (" + provider + "): " + call[0] + " " + call[1].replace(victimsConnection, "{id}"),
                        as(attacker, call[0], call[1], "application/json", "{\"label\":\"mine\"}"), 404, "not-found");
            }
            assertThat(snapshot()).isEqualTo(beforeCrossUser);
        }
        refusedWith("oauth: a provider that does not exist", as(MALLORY, "POST", "/api/v1/integrations/providers/yahoo/authorizations",
                "application/json", "{}"), 404, "not-found");
    }

    private static Map<String, String> providerConsentFor(String user, String provider) throws IOException, InterruptedException {
        Reply started = as(user, "POST", "/api/v1/integrations/providers/" + provider + "/authorizations", "application/json", "{}");
        assertThat(started.status()).as(started.toString()).isEqualTo(201);
        return redirectOf(started.json("$.authorizationUrl"));
    }

    private static Map<String, String> consentFor(String user, String region) throws IOException, InterruptedException {
        Reply started = as(user, "POST", "/api/v1/amazon/connections", "application/json", "{\"region\":\"" + region + "\"}");
        return redirectOf(started.json("$.authorizationUrl"));
    }

    /** The browser at the sandbox's consent page: what it redirects back to the front end with. */
    private static Map<String, String> redirectOf(String authorizationUrl) throws IOException, InterruptedException {
        HttpResponse<Void> consent = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(authorizationUrl)).build(),
                HttpResponse.BodyHandlers.discarding());
        Map<String, String> values = new HashMap<>();
        for (String pair : URI.create(consent.headers().firstValue("Location").orElseThrow()).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            values.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return values;
    }

    private static String callback(Map<String, String> returned) {
        return "{\"code\":\"" + returned.get("code") + "\",\"state\":\"" + returned.get("state") + "\"}";
    }

    @Test
    @Order(6)
    void internalEndpointsCannotBeReachedFromOutside() {
        String before = snapshot();
        Map<String, String> withKey = new LinkedHashMap<>(Map.of("X-Api-Key", stack.readerApiKey()));
        String body = "{\"userId\":\"" + ALICE + "\",\"connectionId\":\"" + aliceConnection + "\"}";
        for (String path : List.of("/internal/v1/tokens", "/internal/v1/refresh/leases", "/internal/v1/refresh/reports",
                "/internal/v1/refresh/claims", "/internal/v1/admin/connections", "/api/../internal/v1/admin/users", "/INTERNAL/v1/tokens", "/api/../internal/v1/tokens", "/api/%2e%2e/internal/v1/tokens",
                "/api/v1/..%2f..%2finternal/v1/tokens", "/actuator/env", "/actuator/heapdump", "/actuator/prometheus/../env")) {
            Reply reply = gateway.send("POST", path, withKey, "application/json", body);
            assertThat(reply.status()).as(path + " " + reply).isIn(400, 404);
            assertThat(reply.body()).doesNotContain("accessToken");
            refused.merge("internal or actuator path through the gateway", 1, Integer::sum);
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    @Order(7)
    void oversizedAndMalformedBodiesAreRefused() {
        String before = snapshot();
        refusedWith("body: 1 MB", as(ALICE, "PATCH", "/api/v1/me/preferences", "application/merge-patch+json",
                "{\"locale\":\"" + "x".repeat(1024 * 1024) + "\"}"), 413, "payload-too-large");
        refusedWith("body: not JSON", as(ALICE, "PATCH", "/api/v1/me/preferences", "application/merge-patch+json", "{locale: de"),
                400, "malformed-request");
        refusedWith("body: JSON of the wrong shape", as(ALICE, "PATCH", "/api/v1/me/preferences", "application/merge-patch+json", "[1,2,3]"),
                400, null);
        refusedWith("body: unknown field", as(ALICE, "PATCH", "/api/v1/me/preferences", "application/merge-patch+json",
                "{\"isAdmin\":true}"), 400, "validation-failed");
        refusedWith("body: field managed by Clerk", as(ALICE, "PATCH", "/api/v1/me", "application/merge-patch+json",
                "{\"email\":\"mallory@evil.example\"}"), 400, "validation-failed");
        refusedWith("body: deeply nested JSON", as(ALICE, "PATCH", "/api/v1/me/preferences", "application/merge-patch+json",
                "[".repeat(5000) + "]".repeat(5000)), 400, null);
        refusedWith("body: wrong content type", as(ALICE, "PATCH", "/api/v1/me/preferences", "text/plain", "locale=de"), 415, "unsupported-media-type");
        refusedWith("body: region that does not exist", as(ALICE, "POST", "/api/v1/amazon/connections", "application/json",
                "{\"region\":\"MARS\"}"), 400, null);
        refusedWith("path: connection id that is no UUID", as(ALICE, "GET", "/api/v1/amazon/connections/1%20OR%201=1", null, null), 400, null);
        assertThat(snapshot()).isEqualTo(before);
        assertThat(as(ALICE, "GET", "/api/v1/me", null, null).status()).as("the service is still fine").isEqualTo(200);
    }

    @Test
    @Order(8)
    void forgedForwardedHeadersChangeNeitherTheBudgetNorTheAuditedAddress() {
        // the local run trusts no proxy in front of the gateway: a claimed address is no address
        as(ALICE, "PATCH", "/api/v1/me/preferences", "application/merge-patch+json", "{\"theme\":\"DARK\"}");
        Reply spoofed = gateway.send("PATCH", "/api/v1/me/preferences", Map.of("Authorization", "Bearer " + session(ALICE),
                "X-Forwarded-For", "198.51.100.66", "Forwarded", "for=198.51.100.77", "X-Real-IP", "198.51.100.88"),
                "application/merge-patch+json", "{\"theme\":\"LIGHT\"}");
        assertThat(spoofed.status()).isEqualTo(200);
        assertThat(db.text("SELECT source_ip FROM audit_events WHERE user_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 1", ALICE))
                .as("the audited address is the real client's").isEqualTo("127.0.0.1");
        refused.merge("forwarded: forged client address in the audit trail", 1, Integer::sum);

        // the webhook budget is keyed by client address: a fresh claimed address per request does not buy a fresh budget
        int spent = 0;
        Reply reply;
        while ((reply = gateway.send("POST", "/webhooks/clerk", Map.of("X-Forwarded-For", "203.0.113." + (spent % 250 + 1),
                "Forwarded", "for=192.0.2." + (spent % 250 + 1)), "application/json", "{}")).status() != 429 && spent < 200) {
            spent++;
        }
        assertThat(reply.status()).as("the suite's webhook budget (80) ran out, claimed addresses or not").isEqualTo(429);
        refusedWith("forwarded: forged client address for a fresh webhook budget", gateway.send("POST", "/webhooks/clerk",
                Map.of("X-Forwarded-For", "198.51.100.200"), "application/json", "{}"), 429, "rate-limited");
    }

    /**
     * Row-level security, the second wall: a query that forgot its {@code user_id} filter cannot be
     * sent from outside, so this runs such queries the way the service runs a signed-in request
     * (role {@code ads_connect_app}, scoped to Mallory), on the packaged system's own database, in a
     * transaction that is rolled back: Mallory's scope sees, changes and deletes none of Alice's
     * rows, and cannot write a row in Alice's name.
     */
    @Test
    @Order(9)
    void anotherUsersNotificationsAndHistoryAreInvisibleAndSlackWebhooksCannotPointElsewhere() throws Exception {
        // Alice gets a notification (Amazon refuses her refresh token) with a Slack webhook set
        String hook = stack.slack().newHook();
        slackHooks.add(hook);
        assertThat(as(ALICE, "PUT", "/api/v1/me/preferences/slack-webhook", "application/json", "{\"url\":\"" + hook + "\"}").status())
                .isEqualTo(200);
        as(ALICE, "PATCH", "/api/v1/me/preferences", "application/merge-patch+json", "{\"notifications\":{\"channels\":{\"slack\":true}}}");
        String second = new SandboxConnectFlow(stack.gatewayUrl()).connect(session(ALICE), "EU").id();
        stack.amazon().failNext(SandboxAmazon.Endpoint.TOKEN, 1, new SandboxFault.InvalidGrant());
        assertThat(as(ALICE, "PUT", "/api/v1/integrations/" + second + "/refresh", null, null).status()).isEqualTo(202);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> db.count("SELECT count(*) FROM notifications WHERE user_id = ?", ALICE) == 1);
        String notification = db.text("SELECT id::text FROM notifications WHERE user_id = ?", ALICE);

        String before = snapshot() + db.text("SELECT string_agg(id || ':' || coalesce(read_at::text, '-'), ',') FROM notifications")
                + db.count("SELECT count(*) FROM slack_webhooks");
        refusedWith("cross-user: mark a notification read",
                as(MALLORY, "POST", "/api/v1/me/notifications/" + notification + "/read", null, null), 404, "not-found");
        refusedWith("cross-user: read a connection's history",
                as(MALLORY, "GET", "/api/v1/me/connections/" + second + "/history", null, null), 404, "not-found");
        assertThat(as(MALLORY, "GET", "/api/v1/me/notifications", null, null).<List<?>>json("$.items")).isEmpty();
        assertThat(as(MALLORY, "POST", "/api/v1/me/notifications/read", null, null).<Integer>json("$.marked")).isZero();
        assertThat(as(MALLORY, "GET", "/api/v1/me/dashboard", null, null).<List<?>>json("$.notifications")).isEmpty();
        // an unsubscribe link forged for Alice, or none at all, without a session
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(("CONNECTION_ALERTS:" + ALICE).getBytes())
                + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        refusedWith("forged unsubscribe link", gateway.send("POST", "/api/v1/notifications/unsubscribe?token=" + forged, Map.of(),
                "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"), 400, "validation-failed");
        refusedWith("forged unsubscribe link", gateway.send("POST", "/api/v1/notifications/unsubscribe", Map.of(), null, null),
                400, "validation-failed");
        // Slack webhooks that would make account-service call anything but Slack's webhook path
        String path = URI.create(hook).getPath();
        for (String url : List.of("https://evil.example" + path, "http://hooks.slack.com" + path,
                "https://hooks.slack.com.evil.example" + path, "https://hooks.slack.com@evil.example" + path,
                "https://evil.example@hooks.slack.com" + path, "https://hooks.slack.com:8443" + path,
                "https://hooks.slack.com/services/../../api/chat.postMessage", "https://169.254.169.254/latest/meta-data/iam",
                "https://127.0.0.1:8081/internal/v1/tokens", "https://hooks.slack.com" + path + "?x=https://evil.example",
                "file:///etc/passwd", "https://hooks.slack.com%2F@evil.example" + path, "https://[::1]" + path,
                "https://hooks.slack.com" + path + "\r\nHost: evil.example")) {
            refusedWith("Slack webhook URL that is not Slack's (SSRF)", as(MALLORY, "PUT", "/api/v1/me/preferences/slack-webhook",
                    "application/json", "{\"url\":\"" + url.replace("\r", "\\r").replace("\n", "\\n") + "\"}"), 400, "validation-failed");
        }
        assertThat(as(MALLORY, "GET", "/api/v1/me/preferences/slack-webhook", null, null).<Boolean>json("$.configured")).isFalse();
        assertThat(snapshot() + db.text("SELECT string_agg(id || ':' || coalesce(read_at::text, '-'), ',') FROM notifications")
                + db.count("SELECT count(*) FROM slack_webhooks")).isEqualTo(before);
        // what the sandbox Slack received went to Alice's hook only
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> !stack.slack().postsTo(hook).isEmpty());
        assertThat(stack.slack().all()).allMatch(request -> request.getUrl().equals(path));
    }

    @Test
    @Order(10)
    void aQueryThatForgetsItsUserFilterReachesNoOtherUsersRows() {
        String before = snapshot();
        Map<String, String> ownRows = new LinkedHashMap<>();
        // children first, so that deleting Mallory's own rows meets no foreign key of hers
        ownRows.put("connection_profiles", "SELECT count(*) FROM connection_profiles p JOIN connections c ON c.id = p.connection_id WHERE c.user_id = ?");
        ownRows.put("connection_tokens", "SELECT count(*) FROM connection_tokens t JOIN connections c ON c.id = t.connection_id WHERE c.user_id = ?");
        ownRows.put("oauth_states", "SELECT count(*) FROM oauth_states WHERE user_id = ?");
        ownRows.put("notification_deliveries", "SELECT count(*) FROM notification_deliveries WHERE user_id = ?");
        ownRows.put("notifications", "SELECT count(*) FROM notifications WHERE user_id = ?");
        ownRows.put("slack_webhooks", "SELECT count(*) FROM slack_webhooks WHERE user_id = ?");
        ownRows.put("connection_history", "SELECT count(*) FROM connection_history WHERE user_id = ?");
        ownRows.put("connections", "SELECT count(*) FROM connections WHERE user_id = ?");
        ownRows.put("audit_events", "SELECT count(*) FROM audit_events WHERE user_id = ?");
        ownRows.put("user_preference_history", "SELECT count(*) FROM user_preference_history WHERE user_id = ?");
        ownRows.put("user_preferences", "SELECT count(*) FROM user_preferences WHERE user_id = ?");
        ownRows.put("users", "SELECT count(*) FROM users WHERE id = ?");
        try (var session = db.hold()) {
            session.execute("SELECT set_config('role', 'ads_connect_app', true), set_config('ads_connect.scope', 'user', true), "
                    + "set_config('ads_connect.user_id', ?, true)", MALLORY);
            for (var table : ownRows.entrySet()) {
                long malloryOwns = db.count(table.getValue(), MALLORY);
                assertThat(db.count(table.getValue(), ALICE)).as("Alice has rows in " + table.getKey()).isPositive();
                assertThat(Long.parseLong(session.text("SELECT count(*) FROM " + table.getKey())))
                        .as("an unfiltered read of " + table.getKey()).isEqualTo(malloryOwns);
                refused.merge("row-level security: unfiltered read of another user's rows", 1, Integer::sum);
                assertThat(Long.parseLong(session.text("WITH gone AS (DELETE FROM " + table.getKey() + " RETURNING 1) SELECT count(*) FROM gone")))
                        .as("an unfiltered delete from " + table.getKey()).isEqualTo(malloryOwns);
                refused.merge("row-level security: unfiltered delete of another user's rows", 1, Integer::sum);
            }
            assertThatThrownBy(() -> session.execute("INSERT INTO audit_events (user_id, actor_type, actor_id, action) "
                    + "VALUES (?, 'USER', ?, 'preferences.updated')", ALICE, MALLORY))
                    .hasStackTraceContaining("row-level security");
            refused.merge("row-level security: a row written in another user's name", 1, Integer::sum);
        }
        assertThat(snapshot()).as("all rolled back, Alice's rows never touched").isEqualTo(before);
    }

    @Test
    @Order(11)
    void noSecretOrTokenAppearsInAnyLog() throws IOException {
        List<String> secrets = new ArrayList<>(stack.secretsNeverLogged());
        secrets.addAll(stack.amazon().issuedTokens());
        secrets.addAll(stack.google().issuedTokens());
        secrets.addAll(stack.microsoft().issuedTokens());
        slackHooks.forEach(hook -> secrets.add(hook.substring(hook.lastIndexOf('/') + 1)));
        // a session token is a credential too; its signature part is what makes it one
        sessionTokens.forEach(token -> {
            String[] parts = token.split("\\.");
            if (parts.length == 3 && parts[2].length() > 20) {
                secrets.add(parts[2]);
            }
        });
        assertThat(secrets).hasSizeGreaterThan(20);
        List<String> leaks = new ArrayList<>();
        long bytes = 0;
        try (var logs = Files.list(stack.logDir())) {
            for (Path log : logs.filter(file -> file.toString().endsWith(".log")).toList()) {
                String content = Files.readString(log);
                bytes += content.length();
                for (String secret : secrets) {
                    if (content.contains(secret)) {
                        leaks.add(log.getFileName() + " contains a secret starting " + secret.substring(0, 6));
                    }
                }
            }
        }
        // what leaves the services as telemetry: every exported span (names and attributes) and every metric
        StringBuilder spans = new StringBuilder();
        stack.traces().spans().forEach(span -> spans.append(span).append('\n'));
        Map<String, String> telemetry = new LinkedHashMap<>();
        telemetry.put("exported spans", spans.toString());
        for (String service : stack.instanceNames()) {
            StackClient.Reply metrics = new StackClient(stack.instanceUrl(service)).get("/actuator/prometheus", Map.of());
            assertThat(metrics.status()).as(service + " metrics").isEqualTo(200);
            telemetry.put(service + " metrics", metrics.body());
        }
        telemetry.forEach((what, content) -> {
            for (String secret : secrets) {
                if (content.contains(secret)) {
                    leaks.add(what + " contain a secret starting " + secret.substring(0, 6));
                }
            }
        });
        System.out.printf("log scan: %d secrets and tokens looked for in %d KB of service logs, %d exported spans and %d KB of metrics%n",
                secrets.size(), bytes / 1024, stack.traces().spans().size(),
                telemetry.entrySet().stream().filter(entry -> entry.getKey().endsWith("metrics")).mapToInt(entry -> entry.getValue().length()).sum() / 1024);
        assertThat(bytes).as("the services did log").isPositive();
        assertThat(stack.traces().spans()).as("the services exported spans").isNotEmpty();
        assertThat(leaks).isEmpty();
    }
}
