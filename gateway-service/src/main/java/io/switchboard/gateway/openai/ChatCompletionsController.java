package io.switchboard.gateway.openai;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RunStatus;
import io.switchboard.events.stream.MessageDelta;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.gateway.runs.CreateRunRequest;
import io.switchboard.gateway.runs.RunAcceptance;
import io.switchboard.gateway.runs.RunRequests;
import io.switchboard.gateway.stream.RunFollower;
import io.switchboard.gateway.usage.ModelUsage;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.web.CorrelationIdFilter;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * An OpenAI-compatible door for clients that already speak Chat Completions: {@code model} names
 * the agent, the last message (the user's) is the run's {@code message} and the ones before it are
 * the conversation the agent starts from. The run is an ordinary run (same key, rate limit, budgets
 * and events, its id in {@value #RUN_ID_HEADER}); the answer comes back as a
 * {@code chat.completion}, or with {@code stream: true} as {@code chat.completion.chunk} events made
 * of the run's {@code message.delta}s, then {@code data: [DONE]}. Errors come in OpenAI's shape
 * ({@link OpenAiErrors}). An agent's tools are the platform's to decide: a request that brings its
 * own is refused.
 */
@RestController
class ChatCompletionsController {

    static final String RUN_ID_HEADER = "X-Switchboard-Run-Id";
    private static final int MAX_MESSAGES = 200;
    private static final List<String> ROLES = List.of("system", "developer", "user", "assistant");

    private final RunRequests requests;
    private final AgentDefinitions agents;
    private final RunEventLog runEvents;
    private final ModelUsage usage;
    private final RunFollower follower;
    private final Instant started = Instant.now();

    ChatCompletionsController(RunRequests requests, AgentDefinitions agents, RunEventLog runEvents, ModelUsage usage,
                              RunFollower follower) {
        this.requests = requests;
        this.agents = agents;
        this.runEvents = runEvents;
        this.usage = usage;
        this.follower = follower;
    }

    /** The agents the tenant may chat with: the model agents, the platform's and its own. */
    @GetMapping("/v1/models")
    Map<String, Object> models(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId) {
        Stream<Map<String, Object>> platform = agents.all().stream().filter(ChatCompletionsController::chats)
                .map(agent -> model(agent.name(), started, "switchboard"));
        Stream<Map<String, Object>> own = agents.tenantAgents(tenantId).stream().filter(agent -> chats(agent.definition()))
                .map(agent -> model(agent.definition().name(), agent.updatedAt(), tenantId));
        return Map.of("object", "list", "data", Stream.concat(platform, own).toList());
    }

    @PostMapping("/v1/chat/completions")
    ResponseEntity<StreamingResponseBody> complete(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                               @RequestAttribute(CorrelationIdFilter.ATTRIBUTE) String correlationId,
                               @RequestBody Map<String, Object> body) throws IOException {
        for (String field : List.of("tools", "functions", "tool_choice", "function_call")) {
            if (body.containsKey(field)) {
                throw OpenAiErrors.invalid(field, "unsupported_parameter", "'" + field + "' cannot be given: an agent's tools "
                        + "are the platform's to decide. GET /v1/agents shows the tools of each agent.");
            }
        }
        if (!(body.get("model") instanceof String name) || name.isBlank()) {
            throw OpenAiErrors.invalid("model", null, "'model' is required: the name of an agent, as GET /v1/models lists them.");
        }
        AgentDefinitions.Resolved resolved = requests.agent(tenantId, name);
        AgentDefinition agent = resolved.definition();
        if (!chats(agent)) {
            throw OpenAiErrors.invalid("model", "model_not_supported", "Agent '" + name + "' does not take a conversation; "
                    + "GET /v1/models lists those that do, POST /v1/runs runs any agent.");
        }
        List<Map<String, Object>> messages = messages(body.get("messages"));
        Map<String, Object> last = messages.getLast();
        RunAcceptance.AcceptedRun run = requests.open(tenantId, correlationId, resolved,
                new CreateRunRequest(name, Map.of("message", last.get("content")), null, null), messages.subList(0, messages.size() - 1));
        Duration patience = agent.deadline().plusSeconds(5);
        Completion completion = new Completion(tenantId, run.runId(), name);
        if (Boolean.TRUE.equals(body.get("stream"))) {
            boolean includeUsage = body.get("stream_options") instanceof Map<?, ?> options
                    && Boolean.TRUE.equals(options.get("include_usage"));
            StreamingResponseBody stream = out -> completion.stream(out, includeUsage, patience);
            return ResponseEntity.ok().header(RUN_ID_HEADER, run.runId()).contentType(MediaType.TEXT_EVENT_STREAM)
                    .header("Cache-Control", "no-cache").body(stream);
        }
        RunEnded ended = completion.await(patience);
        if (ended.status() != RunStatus.SUCCEEDED) {
            throw OpenAiErrors.runFailed(run.runId(), ended);
        }
        byte[] whole = EventCodec.mapper().writeValueAsBytes(completion.whole(answer(ended)));
        return ResponseEntity.ok().header(RUN_ID_HEADER, run.runId()).contentType(MediaType.APPLICATION_JSON)
                .body(out -> out.write(whole));
    }

    /** The conversation as Chat Completions sends it: text messages of the usual roles, the last one the user's. */
    private static List<Map<String, Object>> messages(Object value) {
        if (!(value instanceof List<?> list) || list.isEmpty() || list.size() > MAX_MESSAGES) {
            throw OpenAiErrors.invalid("messages", null, "'messages' must be a list of 1 to " + MAX_MESSAGES + " messages.");
        }
        List<Map<String, Object>> messages = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> message) || !(message.get("role") instanceof String role) || !ROLES.contains(role)) {
                throw OpenAiErrors.invalid("messages[" + i + "].role", null, "Each message needs a role of " + ROLES + ".");
            }
            String content = text(message.get("content"));
            if (content == null) {
                throw OpenAiErrors.invalid("messages[" + i + "].content", null, "A message's content must be text, or a list "
                        + "of text parts.");
            }
            messages.add(Map.of("role", role.equals("developer") ? "system" : role, "content", content));
        }
        if (!messages.getLast().get("role").equals("user") || messages.getLast().get("content").toString().isBlank()) {
            throw OpenAiErrors.invalid("messages", null,
                    "The last message must be the user's, with text: it is what the agent answers.");
        }
        return messages;
    }

    /** A string, or the text of a list of {@code {"type": "text", "text": ...}} parts; null for anything else. */
    private static String text(Object content) {
        if (content instanceof String text) {
            return text;
        }
        if (!(content instanceof List<?> parts)) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (Object part : parts) {
            if (!(part instanceof Map<?, ?> map) || !"text".equals(map.get("type")) || !(map.get("text") instanceof String piece)) {
                return null;
            }
            text.append(piece);
        }
        return text.toString();
    }

    /** An agent a conversation can be had with: a model agent that takes a message. */
    private static boolean chats(AgentDefinition agent) {
        return agent.modelDriven() && agent.input().containsKey("message");
    }

    private static String answer(RunEnded ended) {
        Object answer = ended.output() == null ? null : ended.output().get("answer");
        return answer == null ? "" : answer.toString();
    }

    private static Map<String, Object> model(String id, Instant created, String owner) {
        return Map.of("id", id, "object", "model", "created", created.getEpochSecond(), "owned_by", owner);
    }

    private interface DeltaHandler {
        void take(MessageDelta delta) throws IOException;
    }

    /** One run answered as a chat completion, read from the run's event stream. */
    private final class Completion {

        private final String tenantId;
        private final String runId;
        private final String agent;
        private final String id;
        private final long created = Instant.now().getEpochSecond();

        Completion(String tenantId, String runId, String agent) {
            this.tenantId = tenantId;
            this.runId = runId;
            this.agent = agent;
            this.id = "chatcmpl-" + runId;
        }

        /** Waits for the run's end; a run still going at the end of {@code patience} is reported as failed. */
        RunEnded await(Duration patience) throws IOException {
            return follow(patience, delta -> { });
        }

        /** The answer as it is written: a chunk per {@code message.delta}, then the end, the usage if asked, {@code [DONE]}. */
        void stream(OutputStream out, boolean includeUsage, Duration patience) throws IOException {
            send(out, chunk(Map.of("role", "assistant", "content", ""), null));
            boolean[] wrote = {false};
            RunEnded ended = follow(patience, delta -> {
                send(out, chunk(Map.of("content", delta.text()), null));
                wrote[0] = true;
            });
            end(out, ended, wrote[0], includeUsage);
        }

        /**
         * Reads the run's stream to its end, handing on each {@code message.delta}; a run still going
         * after {@code patience} is reported as failed.
         */
        private RunEnded follow(Duration patience, DeltaHandler deltas) throws IOException {
            long deadline = System.nanoTime() + patience.toNanos();
            String after = null;
            for (RunEventLog.Entry entry : runEvents.read(tenantId, runId, null)) {
                after = entry.id();
                if (entry.terminal()) {
                    return (RunEnded) entry.event();
                }
                take(entry, deltas);
            }
            try (RunFollower.Follower following = follower.follow(tenantId, runId, after)) {
                while (System.nanoTime() < deadline) {
                    for (RunEventLog.Entry entry : following.next(Duration.ofNanos(deadline - System.nanoTime()))) {
                        if (entry.terminal()) {
                            return (RunEnded) entry.event();
                        }
                        take(entry, deltas);
                    }
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
            return new RunEnded(RunStatus.FAILED, null, "the run did not end within " + patience.toSeconds() + " s", Instant.now());
        }

        private static void take(RunEventLog.Entry entry, DeltaHandler deltas) throws IOException {
            if (entry.name().equals(MessageDelta.NAME)) {
                deltas.take((MessageDelta) entry.event());
            }
        }

        private void end(OutputStream out, RunEnded ended, boolean wrote, boolean includeUsage) throws IOException {
            if (ended.status() != RunStatus.SUCCEEDED) {
                send(out, EventCodec.mapper().writeValueAsString(OpenAiErrors.runFailedBody(runId, ended)));
                return;
            }
            if (!wrote && !answer(ended).isEmpty()) {
                send(out, chunk(Map.of("content", answer(ended)), null));
            }
            send(out, chunk(Map.of(), "stop"));
            if (includeUsage) {
                Map<String, Object> last = new LinkedHashMap<>(head("chat.completion.chunk"));
                last.put("choices", List.of());
                last.put("usage", usage());
                send(out, EventCodec.mapper().writeValueAsString(last));
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        Map<String, Object> whole(String answer) {
            Map<String, Object> completion = new LinkedHashMap<>(head("chat.completion"));
            completion.put("choices", List.of(Map.of("index", 0, "message", Map.of("role", "assistant", "content", answer),
                    "finish_reason", "stop")));
            completion.put("usage", usage());
            return completion;
        }

        private String chunk(Map<String, Object> delta, String finishReason) {
            Map<String, Object> choice = new LinkedHashMap<>();
            choice.put("index", 0);
            choice.put("delta", delta);
            choice.put("finish_reason", finishReason);
            Map<String, Object> chunk = new LinkedHashMap<>(head("chat.completion.chunk"));
            chunk.put("choices", List.of(choice));
            return EventCodec.mapper().writeValueAsString(chunk);
        }

        private Map<String, Object> head(String object) {
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("id", id);
            head.put("object", object);
            head.put("created", created);
            head.put("model", agent);
            return head;
        }

        /** The tokens the run's model calls used, all models together. */
        private Map<String, Object> usage() {
            long prompt = 0;
            long completion = 0;
            for (ModelUsage.Model model : usage.run(tenantId, runId).models().values()) {
                prompt += model.promptTokens();
                completion += model.completionTokens();
            }
            return Map.of("prompt_tokens", prompt, "completion_tokens", completion, "total_tokens", prompt + completion);
        }

        private static void send(OutputStream out, String json) throws IOException {
            out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
