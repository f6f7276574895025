package com.adsconnect.refresher.refresh;

import com.adsconnect.refresher.kafka.KafkaProperties;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.transport.ReceiverContext;
import org.apache.kafka.common.header.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
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
import reactor.kafka.receiver.ReceiverOffset;
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
 * most one commit interval). Back-pressure pauses fetching when workers are busy.
 *
 * <p>Supervision covers the whole pipeline, consumer and processing alike: whatever ends it (a
 * consumer that fails, a forward to the retry topic that still fails after
 * {@code forward-attempts} tries while Kafka is away) closes the consumer and starts a new one,
 * with backoff, which re-reads from the last committed offset: unacknowledged records are
 * delivered again. {@link #state()} feeds readiness.
 *
 * <p>On shutdown, intake closes first (records fetched from then on are left to the next owner of
 * their partition), the consumer stays open while in-flight refreshes finish (up to
 * {@code shutdown-timeout}), and only then is it closed; reactor-kafka commits what was
 * acknowledged before it closes the consumer.
 *
 * <p>Each record is handled in a consumer span, the child of the producer span whose W3C context
 * came in the record's {@code traceparent} header (account-service's outbox writes it); the
 * handler's lease and report calls to account-service continue that trace.
 */
@Component
class RefreshEventsKafka implements SmartLifecycle {

    /** Where the consumer is. Only {@code RUNNING} is ready. */
    enum State { NOT_STARTED, RUNNING, RESTARTING, STOPPING, STOPPED }

    private static final Logger log = LoggerFactory.getLogger(RefreshEventsKafka.class);
    private static final String NOT_BEFORE = "x-refresher-not-before";
    private static final String RETRIES = "x-refresher-retries";
    private static final Duration CONSUMER_RESTART_MIN_BACKOFF = Duration.ofSeconds(1);
    private static final Duration CONSUMER_RESTART_MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration ACCOUNT_SERVICE_DOWN_WAIT = Duration.ofSeconds(2);
    private static final Duration FORWARD_MIN_BACKOFF = Duration.ofMillis(500);
    private static final Duration CONSUMER_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaProperties kafka;
    private final RefresherProperties properties;
    private final TokenExpiringHandler handler;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final ObservationRegistry observations;
    private final KafkaSender<String, String> sender;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong restarts = new AtomicLong();
    private volatile boolean intakeOpen = true;
    private final Sinks.Empty<Void> stopping = Sinks.empty();
    /** Partitions of the current consumer with a record left unprocessed at shutdown. */
    private final Set<TopicPartition> leftUnprocessed = ConcurrentHashMap.newKeySet();
    private volatile State state = State.NOT_STARTED;
    private volatile String lastFailure;
    private volatile Disposable pipeline;
    private volatile CountDownLatch finished;
    private volatile KafkaClientMetrics consumerMetrics;
    /** The current consumer's latest acknowledged offset: committing it commits everything acknowledged so far. */
    private volatile ReceiverOffset lastAcknowledged;

    RefreshEventsKafka(KafkaProperties kafka, RefresherProperties properties, TokenExpiringHandler handler, JsonMapper json,
            MeterRegistry meters, ObservationRegistry observations) {
        this.kafka = kafka;
        this.properties = properties;
        this.handler = handler;
        this.json = json;
        this.meters = meters;
        this.observations = observations;
        int forwardMillis = (int) properties.forwardTimeout().toMillis();
        Map<String, Object> producer = new HashMap<>(kafka.clientSettings());
        producer.put(ProducerConfig.CLIENT_ID_CONFIG, "token-refresher-retries");
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // one forward fails within forward-timeout, not within Kafka's two-minute default
        producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, forwardMillis);
        producer.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(forwardMillis, 10_000));
        producer.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, forwardMillis);
        this.sender = KafkaSender.create(SenderOptions.<String, String>create(producer)
                .withKeySerializer(new StringSerializer())
                .withValueSerializer(new StringSerializer()));
        Gauge.builder("refresher.consumer.in_flight", inFlight, AtomicInteger::get)
                .description("records being processed").register(meters);
        Gauge.builder("refresher.consumer.running", this, self -> self.state == State.RUNNING ? 1 : 0)
                .description("1 while the consumer runs; 0 while it is restarting, stopping or not started").register(meters);
    }

    State state() {
        return state;
    }

    long restarts() {
        return restarts.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    /**
     * Creates the topics this refresher consumes and forwards to, where missing, with
     * {@code topic-partitions} partitions: the consumer itself never creates a topic, since a topic
     * created by a subscription gets the broker's default partition count, and the partition count
     * caps how many refreshes run at once. Failing that (no permission, Kafka away), the consumer
     * is assigned the topics once someone else created them.
     */
    private void createMissingTopics() {
        if (!properties.createTopics()) {
            return;
        }
        Map<String, Object> settings = new HashMap<>(kafka.clientSettings());
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(settings)) {
            List<String> topics = List.of(properties.tokenExpiringTopic(), properties.retryTopic(), properties.deadLetterTopic());
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, Optional.of(properties.topicPartitions()), Optional.empty())))
                            .all().get(10, TimeUnit.SECONDS);
                    log.info("created Kafka topic {} with {} partitions", topic, properties.topicPartitions());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        log.warn("could not create Kafka topic {}: {}", topic, e.getCause().toString());
                    }
                }
            }
            // the consumer's first metadata must hold every topic it subscribes to: a topic that appears later
            // changes the subscription's partitions and rebalances the group while the first records are in flight
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try {
                    admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS);
                    break;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        log.warn("Kafka topics not visible yet: {}", e.getCause().toString());
                        break;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | TimeoutException e) {
            log.warn("could not create Kafka topics: {}", e.toString());
        }
    }

    @Override
    public void start() {
        createMissingTopics();
        Map<String, Object> consumer = new HashMap<>(kafka.clientSettings());
        consumer.putAll(Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG, properties.groupId(),
                        ConsumerConfig.CLIENT_ID_CONFIG, "token-refresher",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200,
                        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) properties.sessionTimeout().toMillis(),
                        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) properties.sessionTimeout().toMillis() / 3));
        ReceiverOptions<String, String> options = ReceiverOptions.<String, String>create(consumer)
                .withKeyDeserializer(new StringDeserializer())
                .withValueDeserializer(new StringDeserializer())
                .commitInterval(properties.commitInterval())
                .commitBatchSize(0)
                .closeTimeout(CONSUMER_CLOSE_TIMEOUT)
                .subscription(List.of(properties.tokenExpiringTopic(), properties.retryTopic()))
                .addAssignListener(partitions -> log.info("assigned {}", partitions))
                .addRevokeListener(partitions -> log.info("revoked {}", partitions));
        CountDownLatch done = new CountDownLatch(1);
        finished = done;
        intakeOpen = true;
        pipeline = Flux.defer(() -> consume(options))
                .doOnError(error -> {
                    // that consumer is closing: its acknowledged offsets are committed by its close, or re-read
                    lastAcknowledged = null;
                    lastFailure = error.getClass().getSimpleName();
                    if (intakeOpen) {
                        state = State.RESTARTING;
                        restarts.incrementAndGet();
                        meters.counter("refresher.consumer.restarts").increment();
                        log.warn("refresh consumer failed ({}); starting a new one, which re-reads what was not acknowledged",
                                error.toString());
                    }
                })
                // the backoff starts again from its minimum once a new consumer delivered records
                .retryWhen(Retry.backoff(Long.MAX_VALUE, CONSUMER_RESTART_MIN_BACKOFF).maxBackoff(CONSUMER_RESTART_MAX_BACKOFF)
                        .transientErrors(true)
                        .filter(error -> intakeOpen))
                .doFinally(signal -> {
                    state = State.STOPPED;
                    done.countDown();
                })
                .subscribe(record -> { }, error -> log.error("refresh consumer stopped: {}", error.toString()));
    }

    /** One consumer and everything it feeds; an error anywhere ends both. */
    private Flux<ReceiverRecord<String, String>> consume(ReceiverOptions<String, String> options) {
        KafkaReceiver<String, String> receiver = KafkaReceiver.create(options);
        leftUnprocessed.clear();
        inFlight.set(0);
        lastAcknowledged = null;
        return receiver.receive()
                .doOnSubscribe(subscription -> {
                    state = State.RUNNING;
                    bindMetrics(receiver);
                })
                // the buffer is shared by all partitions: at the default 256, one poll's records of a partition or two
                // fill it, and every other partition waits until those are processed 8 at a time
                .groupBy(record -> record.receiverOffset().topicPartition(), properties.bufferedRecords())
                .flatMap(partition -> partition
                        .flatMapSequential(this::processUnlessStopping, properties.perPartitionConcurrency())
                        .doOnNext(record -> {
                            TopicPartition topicPartition = record.receiverOffset().topicPartition();
                            // past a record left unprocessed nothing is acknowledged: its offset must not be committed over
                            if (!leftUnprocessed.contains(topicPartition)) {
                                record.receiverOffset().acknowledge();
                                lastAcknowledged = record.receiverOffset();
                            }
                            inFlight.decrementAndGet();
                        }), Integer.MAX_VALUE);
    }

    /**
     * Processes the record, unless shutdown began before it started (or while it waited for its
     * retry time): then it is left, unacknowledged, to the partition's next owner, and emits nothing.
     */
    private Mono<ReceiverRecord<String, String>> processUnlessStopping(ReceiverRecord<String, String> record) {
        return Mono.defer(() -> {
            if (!intakeOpen) {
                leftUnprocessed.add(record.receiverOffset().topicPartition());
                return Mono.empty();
            }
            inFlight.incrementAndGet();
            return process(record)
                    .map(processed -> {
                        if (!processed) {
                            leftUnprocessed.add(record.receiverOffset().topicPartition());
                        }
                        return record;
                    });
        });
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

    /**
     * Handles one record. Emits true when the record is done with (refreshed, stale, reported and
     * forwarded to the retry or dead-letter topic), false when shutdown interrupted its wait for
     * its retry time; fails only when a needed forward failed, which restarts the consumer so that
     * the record is delivered again.
     */
    private Mono<Boolean> process(ReceiverRecord<String, String> record) {
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
            return forward(record, properties.deadLetterTopic(), headers, 0, null).thenReturn(true);
        }
        Mono<Void> due = record.topic().equals(properties.retryTopic()) ? waitUntil(headers.get(NOT_BEFORE)) : Mono.empty();
        Mono<Boolean> handled = Mono.defer(() -> handler.handle(event))
                // account-service is down (its breaker is open): nothing can be leased or reported, so
                // hold the event and try again rather than spend its retries; the partition waits
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, ACCOUNT_SERVICE_DOWN_WAIT)
                        .filter(RefreshEventsKafka::accountServiceUnavailable))
                .map(outcome -> outcome == RefreshWorker.Outcome.RETRY)
                .onErrorResume(error -> {
                    // account-service unreachable even after retries: try again later rather than lose the event
                    log.warn("connection {}: {}; to be retried", event.connectionId(), error.toString());
                    return Mono.just(true);
                })
                .flatMap(retry -> !retry ? Mono.<Void>empty()
                        : event.retries() >= properties.maxRetries()
                                ? forward(record, properties.deadLetterTopic(), headers, event.retries(), null)
                                : forward(record, properties.retryTopic(), headers, event.retries() + 1,
                                        Instant.now().plus(properties.retryDelay())))
                .thenReturn(true);
        // a retry's wait ends early at shutdown; then the record is left to the next owner
        return due.then(Mono.defer(() -> intakeOpen ? traced(record, handled) : Mono.just(false)));
    }

    /** {@code work} in a consumer span that continues the trace named by the record's headers. */
    private <T> Mono<T> traced(ReceiverRecord<String, String> record, Mono<T> work) {
        return Mono.defer(() -> {
            ReceiverContext<Headers> context = new ReceiverContext<>((headers, name) -> {
                Header header = headers.lastHeader(name);
                return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
            });
            context.setCarrier(record.headers());
            context.setRemoteServiceName("kafka");
            Observation observation = Observation.createNotStarted("refresher.token_expiring", () -> context, observations)
                    .contextualName("process " + record.topic())
                    .lowCardinalityKeyValue("messaging.system", "kafka")
                    .lowCardinalityKeyValue("messaging.destination.name", record.topic())
                    .highCardinalityKeyValue("messaging.kafka.message.offset", String.valueOf(record.offset()))
                    .start();
            return work
                    .doOnError(observation::error)
                    .doFinally(signal -> observation.stop())
                    .contextWrite(reactor -> reactor.put(ObservationThreadLocalAccessor.KEY, observation));
        });
    }

    /** Sends a copy of the record to the retry or dead-letter topic, trying {@code forward-attempts} times. */
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
        return sender.send(Mono.just(SenderRecord.create(copy, null)))
                .then()
                .retryWhen(Retry.backoff(properties.forwardAttempts() - 1, FORWARD_MIN_BACKOFF)
                        .maxBackoff(properties.forwardTimeout())
                        .filter(error -> !refusedForGood(error))
                        .doBeforeRetry(retry -> log.warn("forward of {}-{}@{} to {} failed ({}); trying again", record.topic(),
                                record.partition(), record.offset(), topic, retry.failure().toString())))
                .doOnSuccess(sent -> meters.counter("refresher.forwarded", "topic", topic).increment())
                // Kafka refuses this record for good (too large, not authorised, invalid topic): restarting the
                // consumer would only meet it again. account-service reschedules a failing connection by itself.
                .onErrorResume(RefreshEventsKafka::refusedForGood, error -> {
                    meters.counter("refresher.forward_refused", "topic", topic).increment();
                    log.error("Kafka refuses the forward of {}-{}@{} to {} ({}); record dropped", record.topic(), record.partition(),
                            record.offset(), topic, error.toString());
                    return Mono.empty();
                });
    }

    /** A Kafka error no retry can cure; anything else (timeouts, a broker away, unknown errors) counts as passing. */
    private static boolean refusedForGood(Throwable error) {
        boolean apiError = false;
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof RetriableException) {
                return false;
            }
            apiError |= cause instanceof ApiException;
        }
        return apiError;
    }

    /** Waits until the retry time, or until shutdown begins, whichever comes first. */
    private Mono<Void> waitUntil(byte[] notBefore) {
        if (notBefore == null) {
            return Mono.empty();
        }
        try {
            Duration wait = Duration.between(Instant.now(), Instant.parse(new String(notBefore, StandardCharsets.UTF_8)));
            return wait.isNegative() ? Mono.empty() : Mono.delay(wait).then().takeUntilOther(stopping.asMono());
        } catch (java.time.format.DateTimeParseException e) {
            return Mono.empty();
        }
    }

    @Override
    public void stop() {
        intakeOpen = false;
        state = State.STOPPING;
        stopping.tryEmitEmpty();
        long deadline = System.nanoTime() + properties.shutdownTimeout().toNanos();
        try {
            while ((inFlight.get() > 0 || handler.refreshesInFlight() > 0) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (inFlight.get() > 0) {
                log.warn("{} records were not done with within {}; they will be delivered again", inFlight.get(),
                        properties.shutdownTimeout());
            }
            if (handler.refreshesInFlight() > 0) {
                log.error("{} refreshes were still running at shutdown; tokens Amazon granted them are lost", handler.refreshesInFlight());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        commitAcknowledged();
        Disposable current = pipeline;
        if (current != null) {
            current.dispose();
        }
        CountDownLatch done = finished;
        try {
            if (done != null && !done.await(CONSUMER_CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("the consumer did not close within {}", CONSUMER_CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        state = State.STOPPED;
        if (consumerMetrics != null) {
            consumerMetrics.close();
        }
        sender.close();
    }

    /**
     * Commits what was acknowledged, and waits for Kafka's answer. Closing the consumer commits too,
     * but the close runs on the consumer's own thread after the pipeline is cancelled, and nothing
     * tells when it is done: the process could end before it. A consumer that already failed has
     * nothing to commit (its successor re-reads from the last commit).
     */
    private void commitAcknowledged() {
        ReceiverOffset last = lastAcknowledged;
        if (last == null) {
            return;
        }
        try {
            last.commit().block(CONSUMER_CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("the offsets acknowledged before shutdown were not committed ({}); those records will be delivered again",
                    e.toString());
        }
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
