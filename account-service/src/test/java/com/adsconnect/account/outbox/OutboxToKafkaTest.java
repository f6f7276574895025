package com.adsconnect.account.outbox;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.adsconnect.account.refresh.RefreshCoordinator;
import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.EventsOnKafka;
import com.adsconnect.account.support.EventsOnKafka.Event;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@AccountServiceTest
class OutboxToKafkaTest {

    private static final Set<String> TOPICS = Set.of("amazon.token-expiring", "amazon.connection-status");

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Autowired
    RefreshCoordinator coordinator;

    @Autowired
    Environment environment;

    @Autowired
    JsonMapper json;

    @AfterEach
    void brokerBack() {
        infrastructure.kafka().start();
    }

    @Test
    void eventsReachKafkaAsCloudEventsShapedLikeTheDocumentedSamples() throws Exception {
        Api api = new Api(web, infrastructure.clerk());
        Db db = new Db(infrastructure);
        String id = (String) connect(api.as("user_events"), "NA").get("id");
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '5 minutes' WHERE id = ?::uuid", id);
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '1 hour' WHERE id <> ?::uuid", id);
        assertThat(coordinator.claimDue(10).block()).isEqualTo(1);

        List<Event> events;
        try (EventsOnKafka kafka = new EventsOnKafka(environment.getProperty("kafka.bootstrap-servers"), TOPICS)) {
            events = kafka.readUntil(Set.of(id), found -> found.size() >= 2, Duration.ofSeconds(30));
        }

        assertThat(events).extracting(Event::topic).containsExactlyInAnyOrder("amazon.connection-status", "amazon.token-expiring");
        for (Event event : events) {
            JsonNode sample = sample(event.topic());
            assertThat(event.headers().keySet()).containsAll(fieldNames(sample.get("headers")));
            assertThat(event.headers()).containsEntry("ce_specversion", "1.0").containsEntry("ce_source", "/account-service")
                    .containsEntry("content-type", "application/json").containsEntry("ce_subject", "connections/" + id)
                    .containsEntry("ce_type", sample.get("headers").get("ce_type").asString());
            JsonNode value = json.readTree(event.value());
            assertThat(fieldNames(value)).isEqualTo(fieldNames(sample.get("value")));
            assertThat(value.get("connectionId").asString()).isEqualTo(id);
            assertThat(event.value()).doesNotContain("Atza|").doesNotContain("Atzr|");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT count(*) FROM outbox_events") == 0);
    }

    @Test
    void kafkaDownForAWhileLosesNothingDuplicatesNothingAndKeepsOrderPerConnection() {
        Api api = new Api(web, infrastructure.clerk());
        Db db = new Db(infrastructure);
        await().atMost(Duration.ofSeconds(10)).until(() -> db.count("SELECT count(*) FROM outbox_events") == 0);
        infrastructure.kafka().stop();

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            WebTestClient user = api.as("user_outage_" + i);
            String id = (String) connect(user, i % 2 == 0 ? "NA" : "EU").get("id");
            user.delete().uri("/api/v1/amazon/connections/" + id).exchange().expectStatus().isOk();
            connect(user, i % 2 == 0 ? "NA" : "EU");
            ids.add(id);
        }
        // three status events per connection wait in the outbox while Kafka is away
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> db.count("SELECT count(*) FROM outbox_events") == 15);

        infrastructure.kafka().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> db.count("SELECT count(*) FROM outbox_events") == 0);

        List<Event> events;
        try (EventsOnKafka kafka = new EventsOnKafka(environment.getProperty("kafka.bootstrap-servers"), TOPICS)) {
            events = kafka.readUntil(new HashSet<>(ids), found -> found.size() >= 15, Duration.ofSeconds(30));
        }
        assertThat(events).hasSize(15);
        assertThat(events.stream().map(e -> e.headers().get("ce_id")).distinct()).hasSize(15);
        Map<String, List<String>> reasonsByConnection = new LinkedHashMap<>();
        events.stream()
                .sorted(java.util.Comparator.comparingLong(Event::offset))
                .forEach(e -> reasonsByConnection.computeIfAbsent(e.key(), k -> new ArrayList<>())
                        .add(json.readTree(e.value()).get("reason").asString()));
        assertThat(reasonsByConnection).hasSize(5).allSatisfy((id, reasons) ->
                assertThat(reasons).containsExactly("CONNECTED", "DISCONNECTED", "REAUTHORIZED"));
    }

    private JsonNode sample(String topic) throws Exception {
        String file = topic.equals("amazon.token-expiring") ? "token-expiring.json" : "connection-status-changed.json";
        return json.readTree(new ClassPathResource("events/samples/" + file).getContentAsString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.TreeSet<>();
        node.propertyNames().forEach(names::add);
        return names;
    }
}
