package com.adsconnect.refresher.accountservice;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleTraceContext;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class BatcherTest {

    private final List<List<Integer>> sent = new CopyOnWriteArrayList<>();

    /** Answers each item with its square, 0 with nothing. */
    private Mono<List<Integer>> squares(List<Integer> items) {
        sent.add(List.copyOf(items));
        List<Integer> answers = new ArrayList<>();
        items.forEach(item -> answers.add(item == 0 ? null : item * item));
        return Mono.just(answers);
    }

    @Test
    void itemsAskedForTogetherLeaveInOneBatchAndEachCallerGetsItsOwnAnswer() {
        try (Batcher<Integer, Integer> batcher = new Batcher<>("test", 10, Duration.ofMillis(200), 1, this::squares)) {
            StepVerifier.create(Flux.merge(batcher.submit(2), batcher.submit(3), batcher.submit(0), batcher.submit(4)).collectList())
                    .assertNext(answers -> assertThat(answers).containsExactlyInAnyOrder(4, 9, 16))
                    .verifyComplete();
            assertThat(sent).containsExactly(List.of(2, 3, 0, 4));
            StepVerifier.create(batcher.submit(0)).verifyComplete();
        }
    }

    @Test
    void aFullBatchLeavesWithoutWaitingForTheLinger() {
        try (Batcher<Integer, Integer> batcher = new Batcher<>("test", 3, Duration.ofHours(1), 2, this::squares)) {
            StepVerifier.create(Flux.merge(batcher.submit(1), batcher.submit(2), batcher.submit(3)).collectList())
                    .assertNext(answers -> assertThat(answers).containsExactlyInAnyOrder(1, 4, 9))
                    .expectComplete()
                    .verify(Duration.ofSeconds(5));
            assertThat(sent).containsExactly(List.of(1, 2, 3));
        }
    }

    @Test
    void whileTheOnlyBatchInFlightIsOutItemsGatherForTheNext() throws Exception {
        Sinks.One<List<Integer>> firstAnswer = Sinks.one();
        CountDownLatch firstSent = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        try (Batcher<Integer, Integer> batcher = new Batcher<>("test", 100, Duration.ofMillis(1), 1, items -> {
            sent.add(List.copyOf(items));
            if (calls.getAndIncrement() == 0) {
                firstSent.countDown();
                return firstAnswer.asMono();
            }
            return Mono.just(items.stream().map(item -> -item).toList());
        })) {
            Mono<Integer> first = batcher.submit(1).cache();
            first.subscribe();
            assertThat(firstSent.await(5, TimeUnit.SECONDS)).isTrue();
            Mono<List<Integer>> later = Flux.merge(batcher.submit(2), batcher.submit(3), batcher.submit(4)).collectList().cache();
            later.subscribe();

            firstAnswer.tryEmitValue(List.of(-1));
            StepVerifier.create(first).expectNext(-1).verifyComplete();
            StepVerifier.create(later).assertNext(answers -> assertThat(answers).containsExactlyInAnyOrder(-2, -3, -4))
                    .verifyComplete();
            assertThat(sent).containsExactly(List.of(1), List.of(2, 3, 4));
        }
    }

    @Test
    void aFailedBatchFailsEveryCallerInItAndTheNextBatchStillGoes() {
        AtomicInteger calls = new AtomicInteger();
        try (Batcher<Integer, Integer> batcher = new Batcher<>("test", 10, Duration.ofMillis(50), 1, items -> calls.getAndIncrement() == 0
                ? Mono.error(new IllegalStateException("account-service answered 503"))
                : squares(items))) {
            Mono<Integer> two = batcher.submit(2).cache();
            Mono<Integer> three = batcher.submit(3).cache();
            two.subscribe(answer -> { }, error -> { });
            three.subscribe(answer -> { }, error -> { });
            StepVerifier.create(two).expectErrorMessage("account-service answered 503").verify(Duration.ofSeconds(5));
            StepVerifier.create(three).expectErrorMessage("account-service answered 503").verify(Duration.ofSeconds(5));
            StepVerifier.create(batcher.submit(5)).expectNext(25).verifyComplete();
        }
    }

    @Test
    void anAnswerOfTheWrongLengthFailsTheCallersInsteadOfMixingUpAnswers() {
        try (Batcher<Integer, Integer> batcher = new Batcher<>("test", 10, Duration.ofMillis(50), 1, items -> Mono.just(List.of(1)))) {
            Mono<Integer> two = batcher.submit(2).cache();
            Mono<Integer> three = batcher.submit(3).cache();
            two.subscribe(answer -> { }, error -> { });
            three.subscribe(answer -> { }, error -> { });
            for (Mono<Integer> caller : List.of(two, three)) {
                StepVerifier.create(caller).expectErrorSatisfies(error -> assertThat(error).hasMessageContaining("1 answers for 2 items"))
                        .verify(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void aBatchIsSentInTheTraceOfItsFirstSampledItemAndInNoneWhenNoItemIsSampled() {
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultTracingObservationHandler(new SimpleTracer()));
        Observation unsampled = traced(observations, "unsampled refresh", false);
        Observation sampled = traced(observations, "sampled refresh", true);
        List<Observation> seen = new CopyOnWriteArrayList<>();
        try (Batcher<Integer, Integer> batcher = new Batcher<>("test", 3, Duration.ofHours(1), 1, items -> Mono.deferContextual(context -> {
            seen.add(context.getOrDefault(ObservationThreadLocalAccessor.KEY, null));
            return squares(items);
        }))) {
            StepVerifier.create(Flux.merge(
                            batcher.submit(1).contextWrite(context -> context.put(ObservationThreadLocalAccessor.KEY, unsampled)),
                            batcher.submit(2).contextWrite(context -> context.put(ObservationThreadLocalAccessor.KEY, sampled)),
                            batcher.submit(3))
                    .collectList())
                    .assertNext(answers -> assertThat(answers).containsExactlyInAnyOrder(1, 4, 9))
                    .verifyComplete();
            StepVerifier.create(Flux.merge(
                            batcher.submit(4).contextWrite(context -> context.put(ObservationThreadLocalAccessor.KEY, unsampled)),
                            batcher.submit(5), batcher.submit(6))
                    .collectList())
                    .assertNext(answers -> assertThat(answers).containsExactlyInAnyOrder(16, 25, 36))
                    .verifyComplete();
        }
        // the first batch's call (and so account-service's handling of it) belongs to the sampled refresh's trace
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isSameAs(sampled);
        assertThat(seen.get(1)).isNull();
    }

    private static Observation traced(ObservationRegistry observations, String name, boolean sampledSpan) {
        Observation observation = Observation.start(name, observations);
        TracingObservationHandler.TracingContext tracing = observation.getContext().get(TracingObservationHandler.TracingContext.class);
        ((SimpleTraceContext) tracing.getSpan().context()).setSampled(sampledSpan);
        return observation;
    }
}
