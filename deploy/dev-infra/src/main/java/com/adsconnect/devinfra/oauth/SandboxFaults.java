package com.adsconnect.devinfra.oauth;

import com.adsconnect.devinfra.stub.StubResponses;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The faults a sandbox answers with instead of the real thing, per endpoint: queued ones (the next
 * calls), storms (every call until a time), a steady latency. Each sandbox says how a fault looks
 * in its provider's wire format ({@link Dialect}). Thread-safe.
 */
public final class SandboxFaults<E extends Enum<E>> {

    /** How a provider writes the faults: its throttling, server error, OAuth error and malformed answers. */
    public interface Dialect {

        ResponseDefinition rateLimited(Duration retryAfter);

        ResponseDefinition serverError(int status);

        ResponseDefinition oauthError(int status, String error);

        /** A 200 whose body is not what the provider sends. */
        default ResponseDefinition malformed() {
            return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody("{\"access_tok").build();
        }
    }

    private record Storm(Instant until, SandboxFault fault) {
    }

    private final Class<E> endpoints;
    private final Map<E, Deque<SandboxFault>> queued;
    private final Map<E, Storm> storms = new ConcurrentHashMap<>();
    private final Map<E, Duration> steadyLatency = new ConcurrentHashMap<>();

    public SandboxFaults(Class<E> endpoints) {
        this.endpoints = endpoints;
        this.queued = new EnumMap<>(endpoints);
        for (E endpoint : endpoints.getEnumConstants()) {
            queued.put(endpoint, new ArrayDeque<>());
        }
    }

    /** Answers the next {@code times} calls of the endpoint with the fault. */
    public void failNext(E endpoint, int times, SandboxFault fault) {
        synchronized (queued) {
            for (int i = 0; i < times; i++) {
                queued.get(endpoint).add(fault);
            }
        }
    }

    /** Every call of the endpoint until {@code until} gets the fault, however many calls that is. */
    public void storm(E endpoint, Instant until, SandboxFault fault) {
        storms.put(endpoint, new Storm(until, fault));
    }

    /** Every answer of the endpoint takes this long (zero: none). */
    public void steadyLatency(E endpoint, Duration latency) {
        steadyLatency.put(endpoint, latency);
    }

    public void reset() {
        synchronized (queued) {
            queued.values().forEach(Deque::clear);
            storms.clear();
        }
    }

    private SandboxFault next(E endpoint) {
        synchronized (queued) {
            SandboxFault fault = queued.get(endpoint).poll();
            if (fault != null) {
                return fault;
            }
            Storm current = storms.get(endpoint);
            return current != null && Instant.now().isBefore(current.until()) ? current.fault() : null;
        }
    }

    /** The endpoint's answer: the next fault in the provider's format, or the real answer (after the steady latency). */
    public ResponseDefinition answer(E endpoint, Dialect dialect, Supplier<ResponseDefinition> real) {
        SandboxFault fault = next(endpoint);
        if (fault == null) {
            Duration steady = steadyLatency.getOrDefault(endpoint, Duration.ZERO);
            return steady.isZero() ? real.get() : ResponseDefinitionBuilder.like(real.get()).withFixedDelay((int) steady.toMillis()).build();
        }
        return switch (fault) {
            case SandboxFault.RateLimited limited -> dialect.rateLimited(limited.retryAfter());
            case SandboxFault.ServerError error -> dialect.serverError(error.status());
            case SandboxFault.InvalidGrant ignored -> dialect.oauthError(400, "invalid_grant");
            case SandboxFault.OAuthError error -> dialect.oauthError(error.status(), error.error());
            case SandboxFault.MalformedBody ignored -> dialect.malformed();
            case SandboxFault.Latency latency -> ResponseDefinitionBuilder.like(real.get())
                    .withFixedDelay((int) latency.delay().toMillis()).build();
            case SandboxFault.Held held -> {
                held.gate().pass();
                ResponseDefinition answer = real.get();
                held.gate().answered(answer.getBody());
                yield answer;
            }
        };
    }

    /**
     * Queues faults asked for from outside (the local run's {@code POST /sandbox/faults}):
     * {@code {"endpoint":"TOKEN","kind":"RATE_LIMITED|SERVER_ERROR|INVALID_GRANT|MALFORMED|LATENCY","times":3,"seconds":5}}.
     */
    public ResponseDefinition queueFromRequest(String body) {
        try {
            Map<String, Object> request = JSONObjectUtils.parse(body);
            E endpoint = Enum.valueOf(endpoints, String.valueOf(request.get("endpoint")));
            int times = request.get("times") instanceof Number n ? n.intValue() : 1;
            long seconds = request.get("seconds") instanceof Number n ? n.longValue() : 5;
            SandboxFault fault = switch (String.valueOf(request.get("kind"))) {
                case "RATE_LIMITED" -> new SandboxFault.RateLimited(Duration.ofSeconds(seconds));
                case "SERVER_ERROR" -> new SandboxFault.ServerError(503);
                case "INVALID_GRANT" -> new SandboxFault.InvalidGrant();
                case "MALFORMED" -> new SandboxFault.MalformedBody();
                case "LATENCY" -> new SandboxFault.Latency(Duration.ofSeconds(seconds));
                default -> throw new IllegalArgumentException("unknown kind");
            };
            failNext(endpoint, Math.clamp(times, 1, 10_000), fault);
            return StubResponses.json(200, Map.of("queued", times));
        } catch (ParseException | IllegalArgumentException | NullPointerException e) {
            return StubResponses.json(400, Map.of("error", "expected {endpoint: " + java.util.Arrays.toString(endpoints.getEnumConstants())
                    + ", kind, times, seconds}"));
        }
    }
}
