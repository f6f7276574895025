package com.adsconnect.testsupport;

/** A Kafka broker that tests can stop and start again at the same address. */
public interface KafkaEndpoint {

    String bootstrapServers();

    /** Makes the broker unreachable, as a crash or a network partition would. */
    void stop();

    /** Brings the broker back at the same address with its data. */
    void start();

    /**
     * Makes the broker hang with every connection open: requests already sent wait for their
     * answers, new ones wait too, until {@link #resume()}.
     */
    void stall();

    /** Answers what {@link #stall()} held, and everything after it. */
    void resume();
}
