package com.adsconnect.devinfra.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP proxy that tests put between a service and one of its dependencies to make the
 * dependency unreachable and reachable again ({@link #cut()}, {@link #restore()}) without touching
 * the dependency itself, which other tests share.
 *
 * <p>While cut, open connections are reset and new ones are accepted and closed at once, which is
 * what a client sees when a database restarts or a network partition drops its packets' replies.
 *
 * <p>While stalled ({@link #stall()}, {@link #resume()}), connections stay open and new ones are
 * accepted, but no byte is passed on in either direction: what a client sees when a broker or a
 * database hangs (a long GC pause, a full disk, a saturated network). Requests already sent wait for
 * their answers; nothing fails until the client's own timeouts do.
 *
 * <p>With several targets it is the local stand-in for a Kubernetes Service in front of replicas:
 * each new connection goes to the next target in turn, skipping targets that refuse connections
 * (a replica that is stopped or restarting).
 */
public final class TcpProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);

    private final List<InetSocketAddress> targets;
    private final AtomicInteger next = new AtomicInteger();
    private final ServerSocket serverSocket;
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean cut = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock flow = new ReentrantLock();
    private final Condition flowing = flow.newCondition();
    private volatile boolean stalled;

    private TcpProxy(int port, List<InetSocketAddress> targets) throws IOException {
        this.targets = List.copyOf(targets);
        this.serverSocket = new ServerSocket();
        this.serverSocket.setReuseAddress(true);
        this.serverSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
        Thread.ofVirtual().name("tcp-proxy-accept-" + port()).start(this::acceptLoop);
    }

    /** Starts a proxy on a free loopback port that forwards to targetHost:targetPort. */
    public static TcpProxy start(String targetHost, int targetPort) {
        return balancing(0, List.of(new InetSocketAddress(targetHost, targetPort)));
    }

    /** Listens on {@code port} (0: any free one) and spreads connections over the targets, round robin. */
    public static TcpProxy balancing(int port, List<InetSocketAddress> targets) {
        try {
            return new TcpProxy(port, targets);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start TCP proxy on :" + port + " to " + targets, e);
        }
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** Resets every open connection and refuses new ones until {@link #restore()}. */
    public void cut() {
        cut.set(true);
        openSockets.forEach(TcpProxy::closeQuietly);
        openSockets.clear();
        log.info("proxy :{} -> {} cut", port(), targets);
    }

    public void restore() {
        cut.set(false);
        log.info("proxy :{} -> {} restored", port(), targets);
    }

    public boolean isCut() {
        return cut.get();
    }

    /** Holds every byte in both directions, keeping connections open, until {@link #resume()}. */
    public void stall() {
        stalled = true;
        log.info("proxy :{} -> {} stalled", port(), targets);
    }

    /** Passes on what was held, and everything after it. */
    public void resume() {
        flow.lock();
        try {
            stalled = false;
            flowing.signalAll();
        } finally {
            flow.unlock();
        }
        log.info("proxy :{} -> {} resumed", port(), targets);
    }

    public boolean isStalled() {
        return stalled;
    }

    private void awaitFlowing() throws InterruptedException {
        if (!stalled) {
            return;
        }
        flow.lock();
        try {
            while (stalled && !closed.get()) {
                flowing.await();
            }
        } finally {
            flow.unlock();
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket client;
            try {
                client = serverSocket.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    log.warn("proxy :{} stopped accepting: {}", port(), e.toString());
                }
                return;
            }
            if (cut.get()) {
                closeQuietly(client);
                continue;
            }
            Thread.ofVirtual().start(() -> connect(client));
        }
    }

    private void connect(Socket client) {
        Socket upstream = connectToATarget();
        if (upstream == null) {
            closeQuietly(client);
            return;
        }
        openSockets.add(client);
        openSockets.add(upstream);
        if (cut.get()) {
            // cut() ran between accept and connect: behave as if the connection never got through
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        Thread.ofVirtual().start(() -> pump(client, upstream));
        Thread.ofVirtual().start(() -> pump(upstream, client));
    }

    /** The next target in turn that accepts a connection, or null when none does. */
    private Socket connectToATarget() {
        int first = Math.floorMod(next.getAndIncrement(), targets.size());
        for (int attempt = 0; attempt < targets.size(); attempt++) {
            Socket candidate = new Socket();
            try {
                candidate.connect(targets.get((first + attempt) % targets.size()), 5_000);
                return candidate;
            } catch (IOException refused) {
                closeQuietly(candidate);
            }
        }
        return null;
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) != -1) {
                awaitFlowing();
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (SocketException expectedOnCutOrClose) {
            // the other direction or cut() closed the sockets
        } catch (IOException e) {
            log.debug("proxy :{} pump ended: {}", port(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            openSockets.remove(from);
            openSockets.remove(to);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            resume();
            cut();
            try {
                serverSocket.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
