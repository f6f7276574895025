package com.adsconnect.devinfra.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/** Port helpers for components that must bind, and later re-bind, a fixed loopback port. */
public final class FreePorts {

    private FreePorts() {
    }

    // below Linux's ephemeral range (32768-60999): there, any outgoing connection may take the port
    // between the pick and the bind, as a JDBC or Kafka client's source port
    private static final int FIRST = 20_000;
    private static final int LAST = 32_000;
    private static final Set<Integer> handedOut = ConcurrentHashMap.newKeySet();

    /** A port that was free on all interfaces a moment ago, outside the ephemeral range, never handed out twice by this JVM. */
    public static int pick() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
            if (handedOut.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(port), 1);
            } catch (IOException taken) {
                continue;
            }
            if (handedOut.add(port)) {
                return port;
            }
        }
        throw new UncheckedIOException(new IOException("no free port between " + FIRST + " and " + LAST));
    }

    /** Whether something accepts TCP connections at host:port within the timeout. */
    public static boolean isListening(String host, int port, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
