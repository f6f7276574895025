package com.adsconnect.account.outbox;

import com.adsconnect.account.tracing.TraceContexts;
import com.adsconnect.account.tracing.TraceContexts.ProducerSpan;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.kafka.sender.SenderRecord;

/**
 * The only class that knows reactor-kafka (discontinued upstream; swapping it for spring-kafka
 * touches this file alone). Publishes outbox events as CloudEvents in Kafka's binary content mode:
 * attributes in {@code ce_*} headers, the JSON data as the value, the connection id as the key.
 * The producer is idempotent with acks=all, so a batch lands in order per partition, once.
 * Each record is sent in a producer span whose W3C context is in its {@code traceparent} header.
 */
@Component
class KafkaEventPublisher implements DisposableBean {

    private final KafkaSender<String, String> sender;
    private final EventsProperties properties;
    private final TraceContexts traces;

    KafkaEventPublisher(EventsProperties properties, TraceContexts traces) {
        this.properties = properties;
        this.traces = traces;
        Map<String, Object> config = new java.util.HashMap<>(properties.clientSettings());
        config.putAll(Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "account-service-outbox",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) properties.sendTimeout().toMillis(),
                // Kafka wants delivery.timeout >= linger + request.timeout
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(properties.sendTimeout().toMillis() - 5, 5_000),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) properties.sendTimeout().toMillis()));
        this.sender = KafkaSender.create(SenderOptions.<String, String>create(config)
                .withKeySerializer(new StringSerializer())
                .withValueSerializer(new StringSerializer())
                .maxInFlight(1024)
                .stopOnError(true));
    }

    /** Completes when Kafka acknowledged every event; fails (and stops) at the first that it did not. */
    Mono<Void> publish(List<OutboxEvent> events) {
        return Mono.defer(() -> {
            List<ProducerSpan> spans = new java.util.ArrayList<>(events.size());
            return sender.send(Flux.fromIterable(events).map(event -> SenderRecord.create(toRecord(event, spans), event.sequence())))
                    .then()
                    .timeout(properties.sendTimeout().plus(Duration.ofSeconds(1)))
                    // the batch is acknowledged as a whole or sent again as a whole
                    .doOnSuccess(done -> spans.forEach(ProducerSpan::acknowledged))
                    .doOnError(error -> spans.forEach(span -> span.failed(error)))
                    .doOnCancel(() -> spans.forEach(span -> span.failed(new java.util.concurrent.CancellationException())));
        });
    }

    private ProducerRecord<String, String> toRecord(OutboxEvent event, List<ProducerSpan> spans) {
        ProducerRecord<String, String> record = new ProducerRecord<>(event.topic(), event.key(), event.payload());
        spans.add(traces.startProducerSpan(event.traceparent(), event.topic(), event.id().toString(),
                (name, value) -> header(record, name, value)));
        header(record, "ce_specversion", "1.0");
        header(record, "ce_id", event.id().toString());
        header(record, "ce_source", properties.source().toString());
        header(record, "ce_type", event.type());
        header(record, "ce_time", event.time().toString());
        if (event.subject() != null) {
            header(record, "ce_subject", event.subject());
        }
        header(record, "content-type", "application/json");
        return record;
    }

    private static void header(ProducerRecord<String, String> record, String name, String value) {
        record.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void destroy() {
        sender.close();
    }
}
