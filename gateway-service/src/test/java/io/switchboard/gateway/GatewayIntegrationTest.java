package io.switchboard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.AgentRequested;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStream;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.events.testing.SseEvents;
import io.switchboard.events.testing.TopicTail;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/** The public API against the real Kafka, Redis and Memcached. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("local")
class GatewayIntegrationTest {

    private static final String ACME = "acme-dev-key";
    private static final String GLOBEX = "globex-dev-key";

    @LocalServerPort
    int port;

    @Autowired
    StringRedisTemplate redis;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void acceptsARunOnceKafkaHasItWithTheCloudEventsAttributes() throws Exception {
        try (TopicTail requested = TopicTail.open(Topics.AGENT_REQUESTED)) {
            HttpResponse<String> response = post(ACME, """
                    {"agent": "calculator", "input": {"expressions": ["2+2"]}, "conversationId": "conv-it-1",
                     "priority": "background"}""", Map.of("X-Correlation-Id", "corr-it-1"));

            assertThat(response.statusCode()).isEqualTo(202);
            JsonNode body = json(response);
            String runId = body.get("runId").asString();
            assertThat(response.headers().firstValue("Location")).hasValue("/v1/runs/" + runId);
            assertThat(response.headers().firstValue("X-Correlation-Id")).hasValue("corr-it-1");
            assertThat(body.get("status").asString()).isEqualTo("accepted");
            assertThat(body.get("conversationId").asString()).isEqualTo("conv-it-1");
            assertThat(body.get("correlationId").asString()).isEqualTo("corr-it-1");

            ConsumerRecord<String, byte[]> record = requested.await(
                    r -> runId.equals(CloudEventRecords.header(r.headers(), CloudEventHeaders.RUN_ID)), Duration.ofSeconds(10));
            assertThat(record.key()).isEqualTo("conv-it-1");
            assertThat(header(record, CloudEventHeaders.TYPE)).isEqualTo("agent.requested.v1");
            assertThat(header(record, CloudEventHeaders.SPEC_VERSION)).isEqualTo("1.0");
            assertThat(header(record, CloudEventHeaders.SOURCE)).isEqualTo("/switchboard/gateway-service");
            assertThat(header(record, CloudEventHeaders.SUBJECT)).isEqualTo(runId);
            assertThat(header(record, CloudEventHeaders.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(header(record, CloudEventHeaders.TENANT_ID)).isEqualTo("acme");
            assertThat(header(record, CloudEventHeaders.CORRELATION_ID)).isEqualTo("corr-it-1");
            assertThat(header(record, CloudEventHeaders.TIME)).isNotBlank();
            AgentRequested event = EventCodec.decode(AgentRequested.class, record.value());
            assertThat(event.agent()).isEqualTo("calculator");
            assertThat(event.priority()).isEqualTo(Priority.BACKGROUND);
            assertThat(event.input()).isEqualTo(Map.of("expressions", List.of("2+2")));

            JsonNode run = json(get(ACME, "/v1/runs/" + runId));
            assertThat(run.get("status").asString()).isEqualTo("accepted");
            assertThat(run.get("agent").asString()).isEqualTo("calculator");
        }
    }

    @Test
    void aMissingOrUnknownKeyIsUnauthorized() throws Exception {
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(uri("/v1/agents")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unknown = get("not-a-key", "/v1/agents");

        for (HttpResponse<String> response : List.of(missing, unknown)) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        }
    }

    @Test
    void anotherTenantsRunAnswersExactlyLikeARunThatDoesNotExist() throws Exception {
        String runId = json(post(ACME, "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}", Map.of()))
                .get("runId").asString();
        String unknownId = UUID.randomUUID().toString();

        for (String path : List.of("/v1/runs/%s", "/v1/runs/%s/events")) {
            HttpResponse<String> foreign = get(GLOBEX, path.formatted(runId));
            HttpResponse<String> missing = get(GLOBEX, path.formatted(unknownId));

            assertThat(foreign.statusCode()).isEqualTo(404);
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(foreign.body().replace(runId, "ID")).isEqualTo(missing.body().replace(unknownId, "ID"));
        }
        assertThat(get(ACME, "/v1/runs/" + runId).statusCode()).isEqualTo(200);
    }

    @Test
    void badRequestsAreProblemDetailsThatNameTheProblem() throws Exception {
        assertProblem(post(ACME, "{\"agent\": ", Map.of()), 400, "not valid JSON");
        assertProblem(post(ACME, "{\"input\": {}}", Map.of()), 422, "agent is required");
        assertProblem(post(ACME, "{\"agent\": \"nope\"}", Map.of()), 404, "There is no agent 'nope'");
        assertProblem(post(ACME, "{\"agent\": \"calculator\", \"input\": {}}", Map.of()), 422, "input.expressions is required");
        assertProblem(post(ACME, "{\"agent\": \"calculator\", \"input\": {\"expressions\": \"2+2\"}}", Map.of()), 422,
                "input.expressions must be an array");
        assertProblem(post(ACME, "{\"agent\": \"notes\", \"input\": {}}", Map.of()), 422, "needs one of [remember, recall]");
        assertProblem(post(ACME, "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}, \"priority\": \"urgent\"}",
                Map.of()), 422, "priority must be 'interactive' or 'background'");
        String huge = "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"" + "1".repeat(70_000) + "\"]}}";
        assertProblem(post(ACME, huge, Map.of()), 413, "limited to 65536 bytes");
    }

    @Test
    void streamsTheRunsEventsEndsAfterTheTerminalOneAndResumesAfterLastEventId() throws Exception {
        String runId = json(post(ACME, "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}", Map.of()))
                .get("runId").asString();
        append(runId, "planned", RunStream.Event.STEP_PLANNED, "{\"step\": 1}");
        append(runId, "done", RunStream.Event.RUN_COMPLETED, "{\"status\": \"succeeded\", \"output\": {\"ok\": true}}");
        append(runId, "done", RunStream.Event.RUN_COMPLETED, "{\"status\": \"succeeded\", \"output\": {\"ok\": true}}");
        URI events = uri("/v1/runs/" + runId + "/events");

        List<SseEvents.Event> all = SseEvents.read(events, ACME, null, Duration.ofSeconds(10));
        List<SseEvents.Event> resumed = SseEvents.read(events, ACME, all.getFirst().id(), Duration.ofSeconds(10));

        assertThat(all).extracting(SseEvents.Event::name).containsExactly("run.accepted", "step.planned", "run.completed");
        assertThat(all.getFirst().data()).contains("\"runId\":\"" + runId + "\"");
        assertThat(resumed).isEqualTo(all.subList(1, 3));
        JsonNode run = json(get(ACME, "/v1/runs/" + runId));
        assertThat(run.get("status").asString()).isEqualTo("succeeded");
        assertThat(run.get("output").get("ok").asBoolean()).isTrue();
    }

    @Test
    void listsTheAgentsWithTheirInput() throws Exception {
        JsonNode agents = json(get(ACME, "/v1/agents")).get("agents");

        assertThat(agents.findValuesAsString("name")).contains("calculator", "research", "notes");
        assertThat(agents.get(1).get("input").get("urls").get("maxItems").asInt()).isEqualTo(5);
    }

    private void append(String runId, String eventId, RunStream.Event event, String data) {
        redis.execute(RedisScript.of(RunStream.APPEND_SCRIPT, String.class),
                List.of(RunStream.key("acme", runId), RunStream.idsKey("acme", runId)), eventId, event.wireName(), data, "600");
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detail) {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(response.body()).contains(detail);
    }

    private HttpResponse<String> post(String key, String body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/runs"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String key, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return EventCodec.mapper().readTree(response.body());
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return CloudEventRecords.header(record.headers(), name);
    }
}
