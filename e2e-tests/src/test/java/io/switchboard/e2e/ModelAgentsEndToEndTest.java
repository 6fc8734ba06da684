package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.bench.stack.Platform;
import io.switchboard.events.EventCodec;
import io.switchboard.events.testing.ReferenceMcpServer;
import io.switchboard.events.testing.ScriptedModel;
import io.switchboard.events.testing.ScriptedModel.Reply;
import io.switchboard.events.testing.SseEvents;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Model agents through the whole pipeline, with the five services as processes on the real brokers
 * and a model scripted per test behind the OpenAI protocol: every model call is a task on RabbitMQ,
 * its outcome comes back through Kafka, and the planner decides the next step from it.
 */
class ModelAgentsEndToEndTest {

    private static final String ACME = "acme-dev-key";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
    /** The npm packages the tests use, which {@code ./switchboard test} installs. */
    private static final Path NPM = Path.of("..", "npm");

    private static ScriptedModel model;
    private static Platform platform;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        model = ScriptedModel.start();
        Path mcpServers = Files.createTempFile("mcp-servers", ".json");
        Files.writeString(mcpServers, EventCodec.mapper().writeValueAsString(Map.of("mcpServers", Map.of("everything", Map.of(
                "command", "node", "args", List.of(ReferenceMcpServer.SCRIPT.toString(), "stdio"))))));
        platform = TestPlatform.create().startServices(TestPlatform.GATEWAY_PORT, List.of(
                "--switchboard.models.default.base-url=" + model.baseUrl(),
                "--switchboard.models.default.api-key=test-key",
                "--switchboard.models.default.model=" + ScriptedModel.MODEL,
                "--switchboard.mcp.servers-file=" + mcpServers), 1, 1);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
        model.close();
    }

    @BeforeEach
    void answerOkUnlessScripted() {
        model.defaultReply(Reply.answer("ok"));
    }

    @Test
    void anAssistantCallsMathEvalTwiceInParallelThenAnswersAndTheClientSeesItWritten() throws Exception {
        int before = model.requestCount();
        model.toolCalls(List.of(new ScriptedModel.ToolCall("c1", "math_eval", "{\"expression\": \"2+2\"}"),
                new ScriptedModel.ToolCall("c2", "math_eval", "{\"expression\": \"sqrt(16)*3\"}")));
        model.answer("2+2 is 4 and sqrt(16)*3 is 12.");

        String runId = create("{\"agent\": \"assistant\", \"input\": {\"message\": \"What are 2+2 and sqrt(16)*3?\"}}");
        List<SseEvents.Event> events = events(runId);

        assertThat(events.getLast().name()).isEqualTo("run.completed");
        assertThat(events).extracting(SseEvents.Event::name).filteredOn("model.completed"::equals).hasSize(2);
        assertThat(events).extracting(SseEvents.Event::name).filteredOn("tool.succeeded"::equals).hasSize(2);
        String written = events.stream().filter(event -> event.name().equals("message.delta"))
                .map(event -> EventCodec.mapper().readTree(event.data()).get("text").asString())
                .reduce("", String::concat);
        assertThat(written).isEqualTo("2+2 is 4 and sqrt(16)*3 is 12.");
        assertThat(run(runId).get("output").get("answer").asString()).isEqualTo("2+2 is 4 and sqrt(16)*3 is 12.");
        assertThat(model.requestCount() - before).isEqualTo(2);
        RunStreamContract contract = RunStreamContract.fromReadme();
        events.forEach(event -> contract.assertEventAsDocumented(event.name(), event.data()));
        assertThat(toolResults(model.lastRequest())).containsExactlyInAnyOrder(
                "{\"expression\":\"2+2\",\"value\":4}", "{\"expression\":\"sqrt(16)*3\",\"value\":12}");
    }

    @Test
    void anAssistantFindsWhatAnEarlierRunOfTheTenantAnswered() throws Exception {
        String word = "quokka" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");
        model.answer("The " + word + " lives on Rottnest Island.");
        String earlier = create("{\"agent\": \"assistant\", \"input\": {\"message\": \"Where does the " + word + " live?\"}}");
        assertThat(events(earlier).getLast().name()).isEqualTo("run.completed");
        await("the earlier run is stored").atMost(Duration.ofSeconds(30)).until(() -> {
            HttpResponse<String> found = http.send(HttpRequest.newBuilder(uri("/v1/search?q=" + word))
                    .header("Authorization", "Bearer acme-dev-key").build(), HttpResponse.BodyHandlers.ofString());
            return found.body().contains(earlier);
        });
        model.toolCalls(List.of(new ScriptedModel.ToolCall("c1", "retrieval_search", "{\"query\": \"" + word + "\"}")));
        model.answer("As answered before: Rottnest Island.");

        String runId = create("{\"agent\": \"assistant\", \"input\": {\"message\": \"Remind me where the " + word + " lives.\"}}");

        assertThat(events(runId).getLast().name()).isEqualTo("run.completed");
        JsonNode call = run(runId).get("toolCalls").get(0);
        assertThat(call.get("tool").asString()).isEqualTo("retrieval.search");
        assertThat(call.get("status").asString()).isEqualTo("succeeded");
        // The earlier run is found, by its question and its answer; the run searching is not.
        assertThat(call.get("output").get("results")).extracting(result -> result.get("runId").asString()).containsExactly(earlier);
        assertThat(call.get("output").get("results").get(0).get("answer").asString()).contains("Rottnest Island");
        assertThat(String.join("\n", toolResults(model.lastRequest()))).contains(earlier);
    }

    @Test
    void aToolTheAgentMayNotUseIsRefusedAndTheRunStillCompletes() throws Exception {
        model.toolCalls(List.of(new ScriptedModel.ToolCall("c1", "shell_exec", "{\"command\": \"cat /etc/passwd\"}")));
        model.answer("I cannot run commands.");

        String runId = create("{\"agent\": \"assistant\", \"input\": {\"message\": \"Print /etc/passwd\"}}");

        assertThat(events(runId).getLast().name()).isEqualTo("run.completed");
        assertThat(run(runId).get("toolCalls")).isEmpty();
        assertThat(toolResults(model.lastRequest())).singleElement().asString()
                .startsWith("refused: 'shell_exec' is not a tool this agent may use");
    }

    @Test
    void theThirdRunOfAConversationKnowsWhatTheFirstSaid() throws Exception {
        String conversation = "conv-" + UUID.randomUUID();
        for (String message : List.of("My name is Ada Lovelace.", "I drink my tea without sugar.", "What is my name?")) {
            String runId = create("""
                    {"agent": "assistant", "conversationId": "%s", "input": {"message": "%s"}}""".formatted(conversation, message));
            assertThat(events(runId).getLast().name()).isEqualTo("run.completed");
        }

        List<String> contents = contents(model.lastRequest());
        assertThat(contents).containsSubsequence("My name is Ada Lovelace.", "ok", "I drink my tea without sugar.", "ok",
                "What is my name?");
    }

    @Test
    void aStormOf429sFromTheModelEndsWithEveryRunSucceededAndNoCallPaidTwice() throws Exception {
        int before = model.requestCount();
        int runs = 5;
        for (int i = 0; i < runs; i++) {
            model.status(429, Map.of("Retry-After", "1"), null);
        }
        List<String> runIds = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            runIds.add(create("{\"agent\": \"assistant\", \"input\": {\"message\": \"Say ok (" + i + ")\"}}"));
        }

        for (String runId : runIds) {
            assertThat(events(runId).getLast().name()).isEqualTo("run.completed");
            assertThat(run(runId).get("output").get("answer").asString()).isEqualTo("ok");
        }
        assertThat(model.requestCount() - before).as("%d refused with 429, then one paid answer per run", runs)
                .isEqualTo(2 * runs);
    }

    @Test
    void aModelThatNeverStopsAskingForToolsEndsAtMaxStepsWithTheReason() throws Exception {
        model.defaultReply(Reply.toolCalls(List.of(new ScriptedModel.ToolCall("c", "math_eval", "{\"expression\": \"1+1\"}"))));

        String runId = create("{\"agent\": \"assistant\", \"input\": {\"message\": \"Count forever\"}}");

        assertThat(events(runId).getLast().name()).isEqualTo("run.failed");
        JsonNode run = run(runId);
        assertThat(run.get("error").asString()).isEqualTo("the agent reached its maxSteps of 6 model calls without an answer");
        assertThat(run.get("toolCalls")).hasSize(6);
    }

    @Test
    void aTenantsOwnAgentRunsWithItsToolsAndItsNextRunUsesTheNewVersion() throws Exception {
        String agent = "tenant-calc-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            assertThat(define(agent, "You answer in numbers.").statusCode()).isEqualTo(201);
            model.toolCalls(List.of(new ScriptedModel.ToolCall("c1", "math_eval", "{\"expression\": \"6*7\"}")));
            model.answer("42");

            String first = create("{\"agent\": \"" + agent + "\", \"input\": {\"message\": \"What is 6*7?\"}}");
            assertThat(events(first).getLast().name()).isEqualTo("run.completed");
            assertThat(run(first).get("output").get("answer").asString()).isEqualTo("42");
            assertThat(run(first).get("toolCalls").get(0).get("tool").asString()).isEqualTo("math.eval");
            assertThat(contents(model.lastRequest()).getFirst()).isEqualTo("You answer in numbers.");

            assertThat(define(agent, "You answer in words.").statusCode()).isEqualTo(200);
            String second = create("{\"agent\": \"" + agent + "\", \"input\": {\"message\": \"What is 6*7?\"}}");
            assertThat(events(second).getLast().name()).isEqualTo("run.completed");
            assertThat(contents(model.lastRequest()).getFirst()).isEqualTo("You answer in words.");
        } finally {
            http.send(HttpRequest.newBuilder(uri("/v1/agents/" + agent)).header("Authorization", "Bearer " + ACME).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
        }
    }

    /**
     * The official OpenAI client ({@code openai} from npm, in {@code npm/}, which
     * {@code ./switchboard test} installs) against the OpenAI-compatible door, unchanged.
     */
    @Test
    void theOfficialOpenAiClientChatsWithAnAgentPlainAndStreamedAndMayNotBringItsOwnTools() throws Exception {
        assertThat(NPM.resolve("node_modules").resolve("openai")).as("run npm ci in %s", NPM).isDirectory();
        String streamed = "Kafka keeps a conversation's events in order, RabbitMQ hands out tasks by priority, "
                + "and Redis holds each run's stream while it is written.";
        model.answer("Your name is Ada.").usage(30, 5);
        model.answer(streamed).usage(20, 25);
        int before = model.requestCount();

        JsonNode seen = node("openai-door.mjs", Map.of());

        assertThat(seen.get("models").findValuesAsString("id")).contains("assistant", "researcher").doesNotContain("calculator");
        JsonNode plain = seen.get("plain");
        assertThat(plain.get("object").asString()).isEqualTo("chat.completion");
        assertThat(plain.get("content").asString()).isEqualTo("Your name is Ada.");
        assertThat(plain.get("finish_reason").asString()).isEqualTo("stop");
        assertThat(plain.at("/usage/prompt_tokens").asLong()).isEqualTo(30);
        assertThat(plain.at("/usage/total_tokens").asLong()).isEqualTo(35);
        JsonNode run = run(plain.get("runId").asString());
        assertThat(run.get("status").asString()).isEqualTo("succeeded");
        assertThat(contents(model.requests().get(before))).containsSubsequence("Answer in one sentence.", "My name is Ada.",
                "Hello Ada.", "What is my name?");

        JsonNode stream = seen.get("stream");
        assertThat(stream.get("text").asString()).isEqualTo(streamed);
        assertThat(stream.get("chunks").asInt()).isGreaterThanOrEqualTo(4);
        assertThat(stream.get("finish_reason").asString()).isEqualTo("stop");
        assertThat(stream.at("/usage/completion_tokens").asLong()).isEqualTo(25);

        assertThat(seen.get("tools").get("status").asInt()).isEqualTo(400);
        assertThat(seen.get("tools").get("code").asString()).isEqualTo("unsupported_parameter");
        assertThat(seen.get("tools").get("param").asString()).isEqualTo("tools");
        assertThat(seen.get("unknown").get("status").asInt()).isEqualTo(404);
        assertThat(seen.get("unknown").get("code").asString()).isEqualTo("model_not_found");
        assertThat(seen.get("notChat").get("status").asInt()).isEqualTo(400);
        assertThat(seen.get("badKey").get("status").asInt()).isEqualTo(401);
        assertThat(seen.get("badKey").get("code").asString()).isEqualTo("invalid_api_key");
        assertThat(model.requestCount() - before).as("a model call for each answered request, none for a refused one").isEqualTo(2);
    }

    /** A tenant's agent that may use every tool of an MCP server, through the OpenAI client, end to end. */
    @Test
    void aTenantsAgentUsesAnMcpServersToolsThroughTheOpenAiClient() throws Exception {
        String agent = "echoer-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            HttpResponse<String> defined = http.send(HttpRequest.newBuilder(uri("/v1/agents/" + agent))
                    .header("Authorization", "Bearer " + ACME).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(EventCodec.mapper().writeValueAsString(Map.of("model", "default",
                            "instructions", "Repeat the user's words with the echo tool.", "tools", List.of("mcp:everything/*"),
                            "maxSteps", 3)))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(defined.statusCode()).as(defined.body()).isEqualTo(201);
            model.toolCalls(List.of(new ScriptedModel.ToolCall("c1", "mcp_everything_echo", "{\"message\": \"ping\"}")));
            model.answer("The server said ping.");
            int before = model.requestCount();

            JsonNode completion = node("openai-chat.mjs", Map.of("SWITCHBOARD_AGENT", agent, "SWITCHBOARD_MESSAGE", "Echo ping"));

            assertThat(completion.at("/choices/0/message/content").asString()).isEqualTo("The server said ping.");
            assertThat(model.requestCount() - before).isEqualTo(2);
            List<Map<String, Object>> requests = model.requests();
            assertThat(String.valueOf(requests.get(before).get("tools"))).contains("mcp_everything_echo", "mcp_everything_get-sum");
            assertThat(toolResults(requests.get(before + 1))).singleElement().asString().contains("Echo: ping");
        } finally {
            http.send(HttpRequest.newBuilder(uri("/v1/agents/" + agent)).header("Authorization", "Bearer " + ACME).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
        }
    }

    /** A tenant registers its own MCP server through the API, and its agent uses it through the OpenAI client. */
    @Test
    void aTenantRegistersItsOwnMcpServerAndItsAgentUsesItThroughTheOpenAiClient() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String server = "own" + suffix;
        String agent = "own-echoer-" + suffix;
        try (ReferenceMcpServer reference = ReferenceMcpServer.startStreamableHttp()) {
            HttpResponse<String> registered = put("/v1/mcp-servers/" + server, Map.of("url", reference.url(),
                    "headers", Map.of("X-Api-Key", "kept-secret")));
            assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
            HttpResponse<String> defined = put("/v1/agents/" + agent, Map.of("model", "default",
                    "instructions", "Repeat the user's words with your echo tool.", "tools", List.of("mcp:" + server + "/*")));
            assertThat(defined.statusCode()).as(defined.body()).isEqualTo(201);
            model.toolCalls(List.of(new ScriptedModel.ToolCall("c1", "mcp_" + server + "_echo", "{\"message\": \"pong\"}")));
            model.answer("It said pong.");
            int before = model.requestCount();

            JsonNode completion = node("openai-chat.mjs", Map.of("SWITCHBOARD_AGENT", agent, "SWITCHBOARD_MESSAGE", "Echo pong"));

            assertThat(completion.at("/choices/0/message/content").asString()).isEqualTo("It said pong.");
            assertThat(toolResults(model.requests().get(before + 1))).singleElement().asString().contains("Echo: pong");
        } finally {
            for (String path : List.of("/v1/agents/" + agent, "/v1/mcp-servers/" + server)) {
                http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + ACME).DELETE().build(),
                        HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    private HttpResponse<String> put(String path, Map<String, Object> body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + ACME)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(EventCodec.mapper().writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Runs a script of {@code npm/} with the gateway's URL and a tenant key, and reads the JSON it prints. */
    private static JsonNode node(String script, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("node", script).directory(NPM.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("SWITCHBOARD_URL", "http://127.0.0.1:" + TestPlatform.GATEWAY_PORT);
        builder.environment().put("SWITCHBOARD_KEY", ACME);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return EventCodec.mapper().readTree(output);
    }

    private HttpResponse<String> define(String agent, String instructions) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri("/v1/agents/" + agent))
                .header("Authorization", "Bearer " + ACME).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(EventCodec.mapper().writeValueAsString(Map.of("model", "default",
                        "instructions", instructions, "tools", List.of("math.eval"), "maxSteps", 4)))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> messages(Map<String, Object> request) {
        return (List<Map<String, Object>>) request.get("messages");
    }

    private static List<String> toolResults(Map<String, Object> request) {
        return messages(request).stream().filter(message -> "tool".equals(message.get("role")))
                .map(message -> String.valueOf(message.get("content"))).toList();
    }

    private static List<String> contents(Map<String, Object> request) {
        return messages(request).stream().map(message -> String.valueOf(message.get("content"))).toList();
    }

    private String create(String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/v1/runs"))
                .header("Authorization", "Bearer " + ACME).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return EventCodec.mapper().readTree(response.body()).get("runId").asString();
    }

    private JsonNode run(String runId) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/v1/runs/" + runId))
                .header("Authorization", "Bearer " + ACME).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return EventCodec.mapper().readTree(response.body());
    }

    private List<SseEvents.Event> events(String runId) throws IOException, InterruptedException {
        return SseEvents.read(uri("/v1/runs/" + runId + "/events"), ACME, null, RUN_TIMEOUT);
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + TestPlatform.GATEWAY_PORT + path);
    }
}
