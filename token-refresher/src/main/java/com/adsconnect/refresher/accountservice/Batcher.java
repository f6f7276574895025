package com.adsconnect.refresher.accountservice;

import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.handler.TracingObservationHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Gathers single calls into batch calls: a batch leaves when it holds {@code maxSize} items, or
 * {@code linger} after its first item arrived, whichever comes first; at most {@code concurrency}
 * batches are in flight, and items wait meanwhile. Each caller gets its own item's answer (or
 * nothing, where the batch answered null for it), or the batch call's error.
 *
 * <p>A caller that cancels after submitting does not take its item out of a batch: the batch
 * call happens anyway, and its answer for that item is dropped.
 *
 * <p>A batch call is made in the trace of its first item that is being traced (sampled), so
 * that item's trace holds the call and account-service's handling of it; the other items' traces
 * do not.
 *
 * @param <I> what one caller asks
 * @param <R> what one caller gets
 */
final class Batcher<I, R> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Batcher.class);

    /** {@code observation}: the caller's, where it has one. */
    private record Pending<I, R>(I item, Sinks.One<R> answer, Observation observation) {

        boolean sampled() {
            if (observation == null || observation.isNoop()) {
                return false;
            }
            TracingObservationHandler.TracingContext tracing = observation.getContextView().get(TracingObservationHandler.TracingContext.class);
            return tracing != null && tracing.getSpan() != null && Boolean.TRUE.equals(tracing.getSpan().context().sampled());
        }
    }

    private final String name;
    private final Sinks.Many<Pending<I, R>> queue = Sinks.many().unicast().onBackpressureBuffer();
    private final Disposable running;

    /**
     * @param call sends one batch; answers one element per item, in the items' order (null: nothing for that item)
     */
    Batcher(String name, int maxSize, Duration linger, int concurrency, Function<List<I>, Mono<List<R>>> call) {
        this.name = name;
        this.running = queue.asFlux()
                .bufferTimeout(maxSize, linger, true)
                .flatMap(batch -> send(batch, call), concurrency)
                .subscribe(done -> { }, error -> log.error("{} batcher stopped: {}", name, error.toString()));
    }

    private Mono<Void> send(List<Pending<I, R>> batch, Function<List<I>, Mono<List<R>>> call) {
        List<I> items = new ArrayList<>(batch.size());
        batch.forEach(pending -> items.add(pending.item()));
        Observation traced = batch.stream().filter(Pending::sampled).findFirst().map(Pending::observation).orElse(null);
        return Mono.defer(() -> call.apply(items))
                .contextWrite(context -> traced == null ? context : context.put(ObservationThreadLocalAccessor.KEY, traced))
                .doOnNext(answers -> {
                    if (answers.size() != batch.size()) {
                        IllegalStateException mismatch = new IllegalStateException(
                                name + ": " + answers.size() + " answers for " + batch.size() + " items");
                        batch.forEach(pending -> pending.answer().tryEmitError(mismatch));
                        return;
                    }
                    for (int i = 0; i < batch.size(); i++) {
                        R answer = answers.get(i);
                        if (answer == null) {
                            batch.get(i).answer().tryEmitEmpty();
                        } else {
                            batch.get(i).answer().tryEmitValue(answer);
                        }
                    }
                })
                .doOnError(error -> batch.forEach(pending -> pending.answer().tryEmitError(error)))
                // a call that ends without answers (or is cancelled when the batcher closes) leaves nobody waiting
                .doFinally(signal -> batch.forEach(pending -> pending.answer()
                        .tryEmitError(new IllegalStateException(name + " batch ended without an answer (" + signal + ")"))))
                .onErrorResume(error -> Mono.empty())
                .then();
    }

    /** The item's answer, once its batch was sent. */
    Mono<R> submit(I item) {
        return Mono.deferContextual(context -> {
            Sinks.One<R> answer = Sinks.one();
            Sinks.EmitResult result;
            Pending<I, R> pending = new Pending<>(item, answer, context.getOrDefault(ObservationThreadLocalAccessor.KEY, null));
            // callers come from many threads; the queue takes one at a time
            synchronized (queue) {
                result = queue.tryEmitNext(pending);
            }
            return result.isSuccess() ? answer.asMono()
                    : Mono.error(new IllegalStateException(name + " batcher does not take items (" + result + ")"));
        });
    }

    @Override
    public void close() {
        running.dispose();
    }
}
