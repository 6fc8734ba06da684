package io.switchboard.events.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model provider for tests: an OpenAI Chat Completions server on {@code 127.0.0.1} that answers
 * {@code POST /v1/chat/completions} from a script. Point a provider at {@link #baseUrl()}, queue
 * the replies the test needs, and read back what the platform asked:
 *
 * <pre>{@code
 * try (ScriptedModel model = ScriptedModel.start()) {
 *     model.toolCalls(List.of(new ScriptedModel.ToolCall("call-1", "math_eval", "{\"expression\":\"2+2\"}")));
 *     model.answer("The answer is 4.").usage(120, 8);
 *     // set switchboard.models.default.base-url to model.baseUrl(), run the agent…
 *     assertThat(model.requestCount()).isEqualTo(2);
 * }
 * }</pre>
 *
 * Each request takes the next reply from the queue; when the queue is empty the {@link
 * #defaultReply(Reply) default reply} answers ({@code "ok"} unless set). A request that asks for
 * {@code stream: true} gets the reply as {@code chat.completion.chunk} Server-Sent Events (the text
 * in several chunks, then the finish reason, then a usage-only chunk if the request asked for it
 * with {@code stream_options.include_usage}, then {@code data: [DONE]}); any other request gets one
 * {@code chat.completion}. The model is called {@value #MODEL}. Thread-safe.
 */
public final class ScriptedModel implements AutoCloseable {

    /** The model name every reply carries. */
    public static final String MODEL = "scripted-model";

    private static final int CHUNK_CHARS = 4;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Map<String, Object>> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger completions = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peakOpen = new AtomicInteger();
    private volatile Reply defaultReply = Reply.answer("ok");

    private ScriptedModel() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a server on a free port. */
    public static ScriptedModel start() {
        try {
            return new ScriptedModel();
        } catch (IOException e) {
            throw new IllegalStateException("could not start the scripted model", e);
        }
    }

    /** Where a provider points: {@code http://127.0.0.1:<port>/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Queues an answer of {@code text} with no tool calls (finish reason {@code stop}). */
    public Reply answer(String text) {
        return enqueue(Reply.answer(text));
    }

    /** Queues a reply that asks for tools (finish reason {@code tool_calls}). */
    public Reply toolCalls(List<ToolCall> toolCalls) {
        return enqueue(Reply.toolCalls(toolCalls));
    }

    /** Queues an error: {@code status} with these headers and body ({@code null} for an OpenAI-style error body). */
    public Reply status(int status, Map<String, String> headers, String body) {
        return enqueue(Reply.status(status, headers, body));
    }

    /** Queues a 200 whose body is not valid JSON. */
    public Reply malformed() {
        return enqueue(Reply.malformed());
    }

    /** Queues a reply made with the {@link Reply} factories. */
    public Reply enqueue(Reply reply) {
        script.add(Objects.requireNonNull(reply));
        return reply;
    }

    /** The reply when nothing is queued; {@code Reply.answer("ok")} unless set. */
    public void defaultReply(Reply reply) {
        defaultReply = Objects.requireNonNull(reply);
    }

    /** How many chat completion requests arrived. */
    public int requestCount() {
        return requests.size();
    }

    /** The most chat completion requests that were being answered at once. */
    public int peakConcurrentRequests() {
        return peakOpen.get();
    }

    /** The JSON bodies of the requests, in the order they arrived. */
    public List<Map<String, Object>> requests() {
        return List.copyOf(requests);
    }

    /** The JSON body of the last request; fails if there was none. */
    public Map<String, Object> lastRequest() {
        if (requests.isEmpty()) {
            throw new IllegalStateException("the scripted model has had no request");
        }
        return requests.getLast();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }

    /** A tool call a reply asks for: the provider's name of the tool ({@code math_eval}) and its arguments as JSON. */
    public record ToolCall(String id, String name, String argumentsJson) {
    }

    /**
     * One scripted reply. Made with the factories (or queued through {@link ScriptedModel}), then
     * adjusted with {@link #usage} and {@link #delay} before a request takes it.
     */
    public static final class Reply {

        private final int status;
        private final String text;
        private final List<ToolCall> toolCalls;
        private final Map<String, String> headers;
        private final String body;
        private final boolean malformed;
        private volatile boolean cut;
        private volatile long[] usage;
        private volatile Duration delay = Duration.ZERO;

        private Reply(int status, String text, List<ToolCall> toolCalls, Map<String, String> headers, String body, boolean malformed) {
            this.status = status;
            this.text = text;
            this.toolCalls = toolCalls;
            this.headers = headers;
            this.body = body;
            this.malformed = malformed;
        }

        public static Reply answer(String text) {
            return new Reply(200, Objects.requireNonNull(text), List.of(), Map.of(), null, false);
        }

        public static Reply toolCalls(List<ToolCall> toolCalls) {
            return new Reply(200, "", List.copyOf(toolCalls), Map.of(), null, false);
        }

        public static Reply status(int status, Map<String, String> headers, String body) {
            return new Reply(status, null, List.of(), Map.copyOf(headers), body, false);
        }

        public static Reply malformed() {
            return new Reply(200, null, List.of(), Map.of(), null, true);
        }

        /**
         * The usage the reply reports. Unless set: a token for every four characters of the
         * request's messages and of the answer (at least one each).
         */
        public Reply usage(long promptTokens, long completionTokens) {
            this.usage = new long[] {promptTokens, completionTokens};
            return this;
        }

        /**
         * Streams the answer's text, then ends the stream without saying why it stopped (no finish
         * reason, no {@code [DONE]}), as a connection cut part-way does.
         */
        public Reply cut() {
            this.cut = true;
            return this;
        }

        /** Waits this long before answering. */
        public Reply delay(Duration delay) {
            this.delay = Objects.requireNonNull(delay);
            return this;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        peakOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod()) || !exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
                send(exchange, 404, Map.of(), "{\"error\":{\"message\":\"no such endpoint\",\"type\":\"invalid_request_error\"}}");
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> request = EventCodec.mapper().readValue(exchange.getRequestBody().readAllBytes(), Map.class);
            requests.add(request);
            Reply reply = script.poll();
            if (reply == null) {
                reply = defaultReply;
            }
            if (!reply.delay.isZero()) {
                Thread.sleep(reply.delay);
            }
            reply(exchange, request, reply);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.decrementAndGet();
        }
    }

    private void reply(HttpExchange exchange, Map<String, Object> request, Reply reply) throws IOException {
        boolean stream = Boolean.TRUE.equals(request.get("stream"));
        if (reply.status != 200) {
            String body = reply.body != null ? reply.body
                    : json(Map.of("error", Map.of("message", "scripted error " + reply.status, "type", "scripted_error")));
            send(exchange, reply.status, reply.headers, body);
            return;
        }
        if (reply.malformed) {
            if (stream) {
                sendEvents(exchange, List.of("{\"id\": \"chatcmpl-broken\", \"choices\": [{", "[DONE]"));
            } else {
                send(exchange, 200, Map.of(), "{\"id\": \"chatcmpl-broken\", \"choices\": [{");
            }
            return;
        }
        String id = "chatcmpl-" + completions.incrementAndGet();
        long[] usage = reply.usage != null ? reply.usage : new long[] {estimate(request), Math.max(1, (reply.text.length() + 3) / 4)};
        Map<String, Object> usageJson = Map.of("prompt_tokens", usage[0], "completion_tokens", usage[1], "total_tokens", usage[0] + usage[1]);
        String finishReason = reply.toolCalls.isEmpty() ? "stop" : "tool_calls";
        if (!stream) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", "assistant");
            message.put("content", reply.text.isEmpty() && !reply.toolCalls.isEmpty() ? null : reply.text);
            if (!reply.toolCalls.isEmpty()) {
                message.put("tool_calls", toolCallsJson(reply.toolCalls, false));
            }
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            choice.put("message", message);
            choice.put("finish_reason", finishReason);
            send(exchange, 200, Map.of(), json(Map.of("id", id, "object", "chat.completion", "created", created(), "model", MODEL,
                    "choices", List.of(choice), "usage", usageJson)));
            return;
        }
        List<String> events = new ArrayList<>();
        events.add(chunk(id, Map.of("role", "assistant", "content", ""), null));
        for (int at = 0; at < reply.text.length(); at += CHUNK_CHARS) {
            events.add(chunk(id, Map.of("content", reply.text.substring(at, Math.min(reply.text.length(), at + CHUNK_CHARS))), null));
        }
        if (reply.cut) {
            sendEvents(exchange, events);
            return;
        }
        if (!reply.toolCalls.isEmpty()) {
            events.add(chunk(id, Map.of("tool_calls", toolCallsJson(reply.toolCalls, true)), null));
        }
        events.add(chunk(id, Map.of(), finishReason));
        if (request.get("stream_options") instanceof Map<?, ?> options && Boolean.TRUE.equals(options.get("include_usage"))) {
            events.add(json(Map.of("id", id, "object", "chat.completion.chunk", "created", created(), "model", MODEL,
                    "choices", List.of(), "usage", usageJson)));
        }
        events.add("[DONE]");
        sendEvents(exchange, events);
    }

    private static String chunk(String id, Map<String, Object> delta, String finishReason) {
        Map<String, Object> choice = new LinkedHashMap<>();
        choice.put("index", 0);
        choice.put("delta", delta);
        choice.put("finish_reason", finishReason);
        return json(Map.of("id", id, "object", "chat.completion.chunk", "created", created(), "model", MODEL, "choices", List.of(choice)));
    }

    private static List<Map<String, Object>> toolCallsJson(List<ToolCall> toolCalls, boolean indexed) {
        List<Map<String, Object>> json = new ArrayList<>();
        for (int i = 0; i < toolCalls.size(); i++) {
            ToolCall call = toolCalls.get(i);
            Map<String, Object> entry = new LinkedHashMap<>();
            if (indexed) {
                entry.put("index", i);
            }
            entry.put("id", call.id());
            entry.put("type", "function");
            entry.put("function", Map.of("name", call.name(), "arguments", call.argumentsJson()));
            json.add(entry);
        }
        return json;
    }

    private static long estimate(Map<String, Object> request) {
        long chars = 0;
        if (request.get("messages") instanceof List<?> messages) {
            for (Object message : messages) {
                if (message instanceof Map<?, ?> map && map.get("content") instanceof String content) {
                    chars += content.length();
                }
            }
        }
        return Math.max(1, (chars + 3) / 4);
    }

    private static long created() {
        return System.currentTimeMillis() / 1000;
    }

    private static String json(Object value) {
        return EventCodec.mapper().writeValueAsString(value);
    }

    private static void send(HttpExchange exchange, int status, Map<String, String> headers, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sendEvents(HttpExchange exchange, List<String> events) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        for (String event : events) {
            out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
