package io.switchboard.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The model of the benchmark's model-loop scenario: an OpenAI Chat Completions server on
 * {@code 127.0.0.1} that answers every streamed {@code POST /v1/chat/completions} after a fixed
 * delay. A run's first call (no tool result among its messages yet) gets a {@code math_eval} tool
 * call of an expression of its own, the next one an answer; so every run goes model, tool, model.
 * Calls are told apart by the run's user message, which the benchmark makes unique, and the server
 * keeps, per message, when each call arrived and when its reply was written.
 *
 * <p>The test fixture {@code ScriptedModel} answers from one queue for all runs, which cannot say
 * which run a reply goes to once thousands are in flight; this one decides by the request.
 */
final class ModelLoopServer implements AutoCloseable {

    static final String MODEL = "bench-model";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Duration delay;
    private final Map<String, Calls> calls = new ConcurrentHashMap<>();
    private final AtomicInteger answers = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger peakCalls = new AtomicInteger();

    private ModelLoopServer(Duration delay) throws IOException {
        this.delay = delay;
        // The JDK's server leaves Nagle's algorithm on: the reply's chunks, written after its headers,
        // would wait for the client's delayed acknowledgement (40 ms on Linux), which a provider's
        // server does not make its clients wait. Read when the JVM's first server is made.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4096);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static ModelLoopServer start(Duration delay) {
        try {
            return new ModelLoopServer(delay);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the benchmark's model", e);
        }
    }

    /** Where the provider points: {@code http://127.0.0.1:<port>/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Answers written so far: runs whose last model call is done. */
    int answers() {
        return answers.get();
    }

    /** The most calls this model was answering at once. */
    int peakCalls() {
        return peakCalls.get();
    }

    /** The calls made for the run whose user message is {@code message}, or null if there were none. */
    Calls calls(String message) {
        return calls.get(message);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }

    /** When a run's two model calls arrived and when their replies were written; null until then. */
    static final class Calls {
        volatile Instant firstArrived;
        volatile Instant firstReplied;
        volatile Instant secondArrived;
        volatile Instant secondReplied;
    }

    private void handle(HttpExchange exchange) throws IOException {
        Instant arrived = Instant.now();
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod()) || !exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            Map<?, ?> request = EventCodec.mapper().readValue(exchange.getRequestBody().readAllBytes(), Map.class);
            List<?> messages = (List<?>) request.get("messages");
            String message = null;
            boolean toolResult = false;
            for (Object entry : messages) {
                Map<?, ?> m = (Map<?, ?>) entry;
                if ("user".equals(m.get("role")) && message == null) {
                    message = String.valueOf(m.get("content"));
                }
                toolResult |= "tool".equals(m.get("role"));
            }
            Calls run = calls.computeIfAbsent(message, key -> new Calls());
            if (toolResult) {
                run.secondArrived = arrived;
            } else {
                run.firstArrived = arrived;
            }
            peakCalls.accumulateAndGet(active.incrementAndGet(), Math::max);
            try {
                Thread.sleep(delay);
            } finally {
                active.decrementAndGet();
            }
            String id = "chatcmpl-" + ids.incrementAndGet();
            Object delta = toolResult ? Map.of("content", "The value is in the tool result.")
                    : Map.of("tool_calls", List.of(Map.of("index", 0, "id", "call-" + id, "type", "function",
                            "function", Map.of("name", "math_eval", "arguments",
                                    "{\"expression\":\"" + Math.abs(message.hashCode() % 1000) + "*7+" + ids.get() + "\"}"))));
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            for (Object event : List.of(chunk(id, Map.of("role", "assistant", "content", ""), null), chunk(id, delta, null),
                    chunk(id, Map.of(), toolResult ? "stop" : "tool_calls"),
                    Map.of("id", id, "object", "chat.completion.chunk", "created", created(), "model", MODEL, "choices", List.of(),
                            "usage", Map.of("prompt_tokens", 100, "completion_tokens", 10, "total_tokens", 110)))) {
                out.write(("data: " + EventCodec.mapper().writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            exchange.close(); // the last chunk is written: the reply is complete
            if (toolResult) {
                run.secondReplied = Instant.now();
                answers.incrementAndGet();
            } else {
                run.firstReplied = Instant.now();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Object> chunk(String id, Object delta, String finishReason) {
        Map<String, Object> choice = new HashMap<>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("finish_reason", finishReason);
        return Map.of("id", id, "object", "chat.completion.chunk", "created", created(), "model", MODEL, "choices", List.of(choice));
    }

    private static long created() {
        return System.currentTimeMillis() / 1000;
    }
}
