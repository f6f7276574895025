package com.adsconnect.refresher.refresh;

import com.adsconnect.refresher.kafka.KafkaProperties;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverRecord;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.kafka.sender.SenderRecord;
import reactor.util.retry.Retry;
import tools.jackson.databind.json.JsonMapper;

/**
 * The only class that knows reactor-kafka. Consumes {@code amazon.token-expiring} and the retry
 * topic in one consumer group: records of a partition are processed up to
 * {@code per-partition-concurrency} at a time but acknowledged strictly in offset order, so a
 * commit never passes an unfinished record and a crash re-delivers only in-flight work (plus at
 * most one commit interval). Back-pressure pauses fetching when workers are busy. On revoke,
 * reactor-kafka commits what was acknowledged; on shutdown, intake stops, in-flight refreshes
 * finish (up to {@code shutdown-timeout}) and their offsets are committed.
 */
@Component
class RefreshEventsKafka implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RefreshEventsKafka.class);
    private static final String NOT_BEFORE = "x-refresher-not-before";
    private static final String RETRIES = "x-refresher-retries";
    private static final Duration CONSUMER_RESTART_MIN_BACKOFF = Duration.ofSeconds(1);
    private static final Duration ACCOUNT_SERVICE_DOWN_WAIT = Duration.ofSeconds(2);
    private static final Duration CONSUMER_RESTART_MAX_BACKOFF = Duration.ofSeconds(30);

    private final KafkaProperties kafka;
    private final RefresherProperties properties;
    private final RefreshWorker worker;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final KafkaSender<String, String> sender;
    private final Sinks.Empty<Void> stopIntake = Sinks.empty();
    private volatile Disposable pipeline;
    private volatile CountDownLatch finished;
    private volatile KafkaClientMetrics consumerMetrics;

    RefreshEventsKafka(KafkaProperties kafka, RefresherProperties properties, RefreshWorker worker, JsonMapper json, MeterRegistry meters) {
        this.kafka = kafka;
        this.properties = properties;
        this.worker = worker;
        this.json = json;
        this.meters = meters;
        this.sender = KafkaSender.create(SenderOptions.<String, String>create(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.CLIENT_ID_CONFIG, "token-refresher-retries",
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))
                .withKeySerializer(new StringSerializer())
                .withValueSerializer(new StringSerializer()));
    }

    @Override
    public void start() {
        ReceiverOptions<String, String> options = ReceiverOptions.<String, String>create(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, properties.groupId(),
                        ConsumerConfig.CLIENT_ID_CONFIG, "token-refresher",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200))
                .withKeyDeserializer(new StringDeserializer())
                .withValueDeserializer(new StringDeserializer())
                .commitInterval(properties.commitInterval())
                .commitBatchSize(0)
                .subscription(List.of(properties.tokenExpiringTopic(), properties.retryTopic()))
                .addAssignListener(partitions -> log.info("assigned {}", partitions))
                .addRevokeListener(partitions -> log.info("revoked {}", partitions));
        CountDownLatch done = new CountDownLatch(1);
        finished = done;
        // a consumer that fails for good (commits failing through a long Kafka outage) is replaced by
        // a new one, with backoff: the refresher recovers by itself, re-reading from the last commit
        pipeline = Flux.defer(() -> {
                    KafkaReceiver<String, String> receiver = KafkaReceiver.create(options);
                    return receiver.receive().doOnSubscribe(subscription -> bindMetrics(receiver));
                })
                .doOnError(error -> {
                    meters.counter("refresher.consumer.restarts").increment();
                    log.warn("Kafka consumer failed ({}); starting a new one", error.toString());
                })
                .retryWhen(Retry.backoff(Long.MAX_VALUE, CONSUMER_RESTART_MIN_BACKOFF).maxBackoff(CONSUMER_RESTART_MAX_BACKOFF))
                .takeUntilOther(stopIntake.asMono())
                .groupBy(record -> record.receiverOffset().topicPartition())
                .flatMap(partition -> partition
                        .flatMapSequential(record -> process(record).thenReturn(record), properties.perPartitionConcurrency())
                        .doOnNext(record -> record.receiverOffset().acknowledge()), Integer.MAX_VALUE)
                .doFinally(signal -> done.countDown())
                .subscribe(record -> { }, error -> log.error("refresh consumer stopped: {}", error.toString()));
    }

    private static boolean accountServiceUnavailable(Throwable error) {
        return error instanceof CallNotPermittedException open && "account-service".equals(open.getCausingCircuitBreakerName());
    }

    /** Consumer metrics (lag, fetch rates) follow the current consumer. */
    private void bindMetrics(KafkaReceiver<String, String> receiver) {
        Mono.delay(Duration.ofSeconds(1))
                .then(receiver.doOnConsumer(consumer -> {
                    KafkaClientMetrics previous = consumerMetrics;
                    if (previous != null) {
                        previous.close();
                    }
                    consumerMetrics = new KafkaClientMetrics(consumer);
                    consumerMetrics.bindTo(meters);
                    return true;
                }))
                .subscribe(bound -> { }, error -> log.debug("consumer metrics not bound: {}", error.toString()));
    }

    private Mono<Void> process(ReceiverRecord<String, String> record) {
        Map<String, byte[]> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value());
        }
        TokenExpiringEvent event;
        try {
            event = TokenExpiringEvent.parse(headers, record.value(), json);
        } catch (IllegalArgumentException malformed) {
            log.warn("{} at {}-{}@{}: sent to {}", malformed.getMessage(), record.topic(), record.partition(), record.offset(),
                    properties.deadLetterTopic());
            return forward(record, properties.deadLetterTopic(), headers, 0, null);
        }
        Mono<Void> due = record.topic().equals(properties.retryTopic()) ? waitUntil(headers.get(NOT_BEFORE)) : Mono.empty();
        return due.then(worker.handle(event)
                        // account-service is down (its breaker is open): nothing can be leased or reported, so
                        // hold the event and try again rather than spend its retries; the partition waits
                        .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, ACCOUNT_SERVICE_DOWN_WAIT)
                                .filter(RefreshEventsKafka::accountServiceUnavailable)))
                .flatMap(outcome -> outcome != RefreshWorker.Outcome.RETRY ? Mono.<Void>empty()
                        : event.retries() >= properties.maxRetries()
                                ? forward(record, properties.deadLetterTopic(), headers, event.retries(), null)
                                : forward(record, properties.retryTopic(), headers, event.retries() + 1,
                                        Instant.now().plus(properties.retryDelay())))
                .onErrorResume(error -> {
                    // account-service unreachable even after retries: try again later rather than lose the event
                    log.warn("connection {}: {}; to the retry topic", event.connectionId(), error.toString());
                    return event.retries() >= properties.maxRetries()
                            ? forward(record, properties.deadLetterTopic(), headers, event.retries(), null)
                            : forward(record, properties.retryTopic(), headers, event.retries() + 1, Instant.now().plus(properties.retryDelay()));
                });
    }

    private Mono<Void> forward(ReceiverRecord<String, String> record, String topic, Map<String, byte[]> headers, int retries,
            Instant notBefore) {
        ProducerRecord<String, String> copy = new ProducerRecord<>(topic, record.key(), record.value());
        headers.forEach((name, value) -> {
            if (!name.equals(NOT_BEFORE) && !name.equals(RETRIES) && !name.equals("ce_id")) {
                copy.headers().add(new RecordHeader(name, value));
            }
        });
        byte[] originalId = headers.get("ce_id");
        String id = (originalId == null ? "unknown" : new String(originalId, StandardCharsets.UTF_8).replaceAll(":retry-\\d+$", ""))
                + ":retry-" + retries;
        copy.headers().add(new RecordHeader("ce_id", id.getBytes(StandardCharsets.UTF_8)));
        copy.headers().add(new RecordHeader(RETRIES, String.valueOf(retries).getBytes(StandardCharsets.UTF_8)));
        if (notBefore != null) {
            copy.headers().add(new RecordHeader(NOT_BEFORE, notBefore.toString().getBytes(StandardCharsets.UTF_8)));
        }
        meters.counter("refresher.forwarded", "topic", topic).increment();
        return sender.send(Mono.just(SenderRecord.create(copy, null))).then();
    }

    private static Mono<Void> waitUntil(byte[] notBefore) {
        if (notBefore == null) {
            return Mono.empty();
        }
        try {
            Duration wait = Duration.between(Instant.now(), Instant.parse(new String(notBefore, StandardCharsets.UTF_8)));
            return wait.isNegative() ? Mono.empty() : Mono.delay(wait).then();
        } catch (java.time.format.DateTimeParseException e) {
            return Mono.empty();
        }
    }

    @Override
    public void stop() {
        stopIntake.tryEmitEmpty();
        CountDownLatch done = finished;
        try {
            if (done != null && !done.await(properties.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("in-flight refreshes did not finish within {}; they will be redelivered", properties.shutdownTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Disposable current = pipeline;
        if (current != null) {
            current.dispose();
        }
        if (consumerMetrics != null) {
            consumerMetrics.close();
        }
        sender.close();
    }

    @Override
    public boolean isRunning() {
        return pipeline != null && !pipeline.isDisposed();
    }

    @Override
    public int getPhase() {
        // stop before the web server and the HTTP clients the workers use
        return Integer.MAX_VALUE - 1024;
    }
}
