package io.switchboard.gateway;

import io.switchboard.events.testing.RunEventSamples;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.AgentCompleted;
import io.switchboard.events.AgentRequested;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.RunStream;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.events.testing.SseEvents;
import io.switchboard.events.testing.TopicTail;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/** The public API against the real Kafka, Redis and Memcached. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "switchboard.tenants.initech.api-key-sha256[0]=24849b890cfc76804b7199c24a46cd0979d78112b5427000943a521b4b90adb3",
        "switchboard.tenants.initech.budget.tokens-per-day=450",
        "switchboard.tenants.initech.flags.agents.notes=false",
        "switchboard.tenants.initech.flags.background-priority=false"})
@ActiveProfiles("local")
class GatewayIntegrationTest {

    private static final String ACME = "acme-dev-key";
    private static final String GLOBEX = "globex-dev-key";
    /** A tenant with a small daily budget, the notes agent switched off and no background priority. */
    private static final String INITECH = "initech-test-key";

    @LocalServerPort
    int port;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RunEventLog runEvents;

    @Autowired
    TokenBudgets budgets;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void acceptsARunOnceKafkaHasItWithTheCloudEventsAttributesOnTheLaneOfItsPriority() throws Exception {
        try (TopicTail requested = TopicTail.open(Topics.AGENT_REQUESTED_BACKGROUND)) {
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
        HttpResponse<String> encoded = http.send(HttpRequest.newBuilder(uri("/%761/agents")).build(),
                HttpResponse.BodyHandlers.ofString());

        for (HttpResponse<String> response : List.of(missing, unknown, encoded)) {
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
        runEvents.append("acme", runId, "planned", RunEventSamples.planned(runId, 1));
        runEvents.append("acme", runId, "done", RunEventSamples.completed(Map.of("ok", true)));
        runEvents.append("acme", runId, "done", RunEventSamples.completed(Map.of("ok", true)));
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
    void anIdempotencyKeyReplaysTheFirstResponseAndRefusesAnotherBodyOrAConcurrentRetry() throws Exception {
        String key = "idem-" + UUID.randomUUID();
        HttpResponse<String> first = post(ACME, """
                {"agent": "calculator", "input": {"expressions": ["1+1"]}, "priority": "background"}""",
                Map.of("Idempotency-Key", key));
        HttpResponse<String> again = post(ACME, """
                {"priority": "background", "input": {"expressions": ["1+1"]},   "agent": "calculator"}""",
                Map.of("Idempotency-Key", "\"" + key + "\""));
        HttpResponse<String> otherBody = post(ACME, """
                {"agent": "calculator", "input": {"expressions": ["2+2"]}, "priority": "background"}""",
                Map.of("Idempotency-Key", key));
        HttpResponse<String> otherTenant = post(GLOBEX, """
                {"agent": "calculator", "input": {"expressions": ["1+1"]}, "priority": "background"}""",
                Map.of("Idempotency-Key", key));

        assertThat(first.statusCode()).isEqualTo(202);
        String runId = json(first).get("runId").asString();
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(json(again).get("runId").asString()).isEqualTo(runId);
        assertThat(again.headers().firstValue("Location")).hasValue("/v1/runs/" + runId);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertProblem(otherBody, 422, "used for a request with another body");
        assertThat(otherTenant.statusCode()).isEqualTo(202);
        assertThat(json(otherTenant).get("runId").asString()).isNotEqualTo(runId);

        // The first request still running, as a retry racing it would find it.
        redis.opsForHash().put("sb:acme:idempotency:" + sha256(key), "state", "in-flight");
        HttpResponse<String> racing = post(ACME, """
                {"agent": "calculator", "input": {"expressions": ["1+1"]}, "priority": "background"}""",
                Map.of("Idempotency-Key", key));
        assertProblem(racing, 409, "still being processed");
        assertThat(racing.headers().firstValue("Retry-After")).hasValue("1");
        assertProblem(post(ACME, "{\"agent\": \"calculator\"}", Map.of("Idempotency-Key", "no spaces allowed")), 400,
                "Idempotency-Key must be");
    }

    @Test
    void aCancelledRunEndsItsStreamTakesNoFurtherEventsAndIsAnnounced() throws Exception {
        try (TopicTail completed = TopicTail.open(Topics.AGENT_COMPLETED)) {
            String runId = json(post(ACME, "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}", Map.of()))
                    .get("runId").asString();

            HttpResponse<String> cancelled = cancel(ACME, runId);
            runEvents.append("acme", runId, runId + ".s1.t0.called", RunEventSamples.toolSucceeded(runId + ".s1.t0"));

            assertThat(cancelled.statusCode()).isEqualTo(200);
            assertThat(json(cancelled).get("status").asString()).isEqualTo("cancelled");
            assertThat(SseEvents.read(uri("/v1/runs/" + runId + "/events"), ACME, null, Duration.ofSeconds(10)))
                    .extracting(SseEvents.Event::name).containsExactly("run.accepted", "run.cancelled");
            assertThat(cancel(ACME, runId).statusCode()).isEqualTo(200);
            ConsumerRecord<String, byte[]> record = completed.await(
                    r -> runId.equals(CloudEventRecords.header(r.headers(), CloudEventHeaders.RUN_ID)), Duration.ofSeconds(10));
            assertThat(EventCodec.decode(AgentCompleted.class, record.value()).status()).isEqualTo(RunStatus.CANCELLED);
            assertThat(runEvents.overdue(Instant.now().plus(Duration.ofHours(1)), 100_000))
                    .doesNotContain(new RunEventLog.RunRef("acme", runId));
        }
        assertProblem(cancel(ACME, UUID.randomUUID().toString()), 404, "There is no run");
    }

    @Test
    void aRunThatEndedCannotBeCancelledAndAnAcceptedOneIsWatchedForItsDeadline() throws Exception {
        Instant before = Instant.now();
        String runId = json(post(ACME, "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}", Map.of()))
                .get("runId").asString();
        RunEventLog.RunRef run = new RunEventLog.RunRef("acme", runId);

        assertThat(runEvents.overdue(before.plusSeconds(59), 100_000)).doesNotContain(run);
        assertThat(runEvents.overdue(Instant.now().plusSeconds(61), 100_000)).contains(run);

        runEvents.append("acme", runId, runId + ".completed", RunEventSamples.completed(Map.of("ok", true)));
        assertProblem(cancel(ACME, runId), 409, "already ended with run.completed");
        runEvents.unwatch("acme", runId);
    }

    @Test
    void aRunIsAdmittedOnlyWhileItsEstimateFitsTheTenantsDailyBudgetAndUsageShowsIt() throws Exception {
        RedisForTests.deleteTenant(redis, "initech");
        HttpResponse<String> first = post(INITECH, "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}", Map.of());
        String runId = json(first).get("runId").asString();
        budgets.reserve("initech", runId, runId + ".s1.t0", 300);

        HttpResponse<String> refused = post(INITECH, "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}", Map.of());
        JsonNode usage = json(get(INITECH, "/v1/usage"));
        JsonNode runUsage = json(get(INITECH, "/v1/runs/" + runId + "/usage"));

        assertThat(first.statusCode()).isEqualTo(202);
        assertProblem(refused, 429, "has used 300 of its 450 tokens");
        assertThat(json(refused).get("budget").asString()).isEqualTo("tokens-per-day");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(usage.get("tokens").get("used").asLong()).isEqualTo(300);
        assertThat(usage.get("tokens").get("remaining").asLong()).isEqualTo(150);
        assertThat(runUsage.get("tokens").get("used").asLong()).isEqualTo(300);
        assertThat(runUsage.get("tokens").get("limit").asLong()).isEqualTo(20_000);
        assertThat(get(ACME, "/v1/runs/" + runId + "/usage").statusCode()).isEqualTo(404);
    }

    @Test
    void anAgentOrPrioritySwitchedOffByAFlagIsForbiddenNamingTheFlag() throws Exception {
        assertProblem(post(INITECH, "{\"agent\": \"notes\", \"input\": {\"recall\": \"x\"}}", Map.of()), 403,
                "switched off for this tenant by the flag 'flags.agents.notes'");
        assertProblem(post(INITECH, "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}, \"priority\": \"background\"}",
                Map.of()), 403, "by the flag 'flags.background-priority'");
        assertThat(post(ACME, "{\"agent\": \"notes\", \"input\": {\"recall\": \"x\"}}", Map.of()).statusCode()).isEqualTo(202);
    }

    @Test
    void listsTheAgentsWithTheirInput() throws Exception {
        JsonNode agents = json(get(ACME, "/v1/agents")).get("agents");

        assertThat(agents.findValuesAsString("name")).contains("calculator", "research", "notes");
        assertThat(agents.get(1).get("input").get("urls").get("maxItems").asInt()).isEqualTo(5);
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

    private HttpResponse<String> cancel(String key, String runId) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri("/v1/runs/" + runId + "/cancel"))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
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
