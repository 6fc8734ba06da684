package io.switchboard.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An HTTP endpoint with a side effect, as a tool's target: it applies each delivery once per
 * {@code Idempotency-Key} and counts every request, so repeated deliveries are visible but never
 * applied twice. Paths under {@code /flaky/} answer 503 until {@link #failFlakyUntil} has passed.
 */
final class Sink implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, AtomicLong> deliveriesByKey = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong flakyRequests = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile long flakyUntilNanos;
    private final long delayMillis;

    Sink() throws IOException {
        this(0);
    }

    /** A sink that takes {@code delayMillis} to answer each request. */
    Sink(long delayMillis) throws IOException {
        this.delayMillis = delayMillis;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    void failFlakyUntil(long nanoTime) {
        flakyUntilNanos = nanoTime;
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        if (delayMillis > 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(delayMillis));
        }
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        boolean flaky = exchange.getRequestURI().getPath().startsWith("/flaky/");
        if (flaky) {
            flakyRequests.incrementAndGet();
        }
        int status;
        if (key == null) {
            status = 400;
        } else if (flaky && System.nanoTime() < flakyUntilNanos) {
            refused.incrementAndGet();
            status = 503;
        } else {
            deliveriesByKey.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
            status = 200;
        }
        byte[] body = (status == 200 ? "delivered " + key : "not now").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    /** Effects applied: one per distinct key that was delivered. */
    Map<String, Long> deliveriesByKey() {
        Map<String, Long> copy = new ConcurrentHashMap<>();
        deliveriesByKey.forEach((key, count) -> copy.put(key, count.get()));
        return copy;
    }

    long requests() {
        return requests.get();
    }

    long flakyRequests() {
        return flakyRequests.get();
    }

    long refused() {
        return refused.get();
    }

    void reset() {
        deliveriesByKey.clear();
        requests.set(0);
        flakyRequests.set(0);
        refused.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
