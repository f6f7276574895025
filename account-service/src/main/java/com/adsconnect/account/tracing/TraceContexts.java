package com.adsconnect.account.tracing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Carries a trace across the outbox: the W3C {@code traceparent} of the work that wrote an event
 * is stored with the event, and the relay publishes the event in a producer span that is that
 * trace's child and whose context travels in the Kafka record's headers. So a user's "refresh now"
 * is one trace from the gateway, through Kafka, into the refresher and its calls back here.
 */
@Component
public class TraceContexts {

    static final String TRACEPARENT = "traceparent";

    private final Tracer tracer;
    private final Propagator propagator;

    public TraceContexts(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /**
     * Runs {@code work} with the {@code traceparent} of the span current where the result is
     * subscribed (a request, a scheduled run), or with null outside any trace.
     */
    public <T> Mono<T> withTraceparent(Function<String, Mono<T>> work) {
        return Mono.deferContextual(context -> work.apply(traceparentOf(context)));
    }

    private String traceparentOf(ContextView context) {
        Observation observation = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
        if (observation == null || observation.isNoop()) {
            return null;
        }
        return spanOf(observation.getContextView()).map(this::traceparentOf).orElse(null);
    }

    /** The span an observation's tracing handler opened for it, if any. */
    static Optional<Span> spanOf(Observation.ContextView observation) {
        TracingObservationHandler.TracingContext tracing = observation.get(TracingObservationHandler.TracingContext.class);
        return Optional.ofNullable(tracing).map(TracingObservationHandler.TracingContext::getSpan);
    }

    /** The W3C {@code traceparent} of a span, as the propagator writes it. */
    String traceparentOf(Span span) {
        Map<String, String> carrier = new HashMap<>(4);
        propagator.inject(span.context(), carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /**
     * Starts the producer span of one event, the child of the stored {@code traceparent} (a new
     * trace where none was stored); its context is written with {@code headers}.
     */
    public ProducerSpan startProducerSpan(String traceparent, String topic, String eventId, BiConsumer<String, String> headers) {
        Span.Builder builder = traceparent == null ? tracer.spanBuilder()
                : propagator.extract(Map.of(TRACEPARENT, traceparent), (carrier, key) -> carrier.get(key));
        Span span = builder.kind(Span.Kind.PRODUCER)
                .name("publish " + topic)
                .tag("messaging.system", "kafka")
                .tag("messaging.operation", "publish")
                .tag("messaging.destination.name", topic)
                .tag("messaging.message.id", eventId)
                .start();
        propagator.inject(span.context(), headers, BiConsumer::accept);
        return new ProducerSpan(span);
    }

    /** A producer span, ended when Kafka acknowledged the event or refused it. */
    public record ProducerSpan(Span span) {

        public void acknowledged() {
            span.end();
        }

        public void failed(Throwable error) {
            span.error(error).end();
        }
    }
}
