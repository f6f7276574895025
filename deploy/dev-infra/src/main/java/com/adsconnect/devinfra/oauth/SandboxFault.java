package com.adsconnect.devinfra.oauth;

import java.time.Duration;

/** A failure the sandbox answers with instead of the real thing, to exercise error handling. */
public sealed interface SandboxFault {

    /** 429 with {@code Retry-After}. */
    record RateLimited(Duration retryAfter) implements SandboxFault {
    }

    /** A 5xx answer. */
    record ServerError(int status) implements SandboxFault {
    }

    /** 400 {@code {"error":"invalid_grant"}}, as for a revoked or expired grant. */
    record InvalidGrant() implements SandboxFault {
    }

    /** Another OAuth error code ({@code {"error": ...}} in the provider's format), with its status. */
    record OAuthError(int status, String error) implements SandboxFault {
    }

    /** A 200 whose body is not what Amazon sends. */
    record MalformedBody() implements SandboxFault {
    }

    /** The real answer, after a delay. */
    record Latency(Duration delay) implements SandboxFault {
    }

    /**
     * The real answer, once the test opens the gate: the call has reached the provider and its answer
     * waits, so a test can act in between (cut a connection, stop a process) without guessing times.
     */
    record Held(Gate gate) implements SandboxFault {
    }

    /** Where a {@link Held} call waits. At most {@link #MAX_HOLD}, so a forgotten gate cannot hang a server thread. */
    final class Gate {

        static final Duration MAX_HOLD = Duration.ofMinutes(2);

        private final java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);

        /** Blocks until the held call has arrived; false if it did not within the timeout. */
        public boolean awaitArrival(Duration timeout) throws InterruptedException {
            return arrived.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        public boolean hasArrived() {
            return arrived.getCount() == 0;
        }

        /** Lets the held call have its answer. */
        public void open() {
            opened.countDown();
        }

        /** The body the held call was answered with, once it was; null before. */
        public String answer() {
            return answer;
        }

        private volatile String answer;

        public void answered(String body) {
            answer = body;
        }

        public void pass() {
            arrived.countDown();
            try {
                opened.await(MAX_HOLD.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
