package com.adsconnect.testsupport;

/** Where the shared Redis server listens. */
public record RedisEndpoint(String host, int port) {
}
