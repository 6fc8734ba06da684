package io.switchboard.gateway.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.AgentRequested;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolDescription;
import io.switchboard.events.Topics;
import io.switchboard.events.testing.TopicTail;
import io.switchboard.gateway.web.GatewayCalls;
import io.switchboard.platform.AgentDefinitions;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * Agents a tenant defines through the API, against the real Redis (where they are kept), Memcached
 * (which serves them) and Kafka (which carries their runs). The tool catalog holds what a worker
 * publishes; here the test publishes {@code math.eval} as a worker would.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "switchboard.models.default.base-url=http://127.0.0.1:9/v1", "switchboard.models.default.model=test-model"})
@ActiveProfiles("local")
class TenantAgentsIntegrationTest {

    private static final String ACME = "acme-dev-key";
    private static final String GLOBEX = "globex-dev-key";

    @LocalServerPort
    int port;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    AgentDefinitions agents;

    private final String name = "helper-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeEach
    void aWorkerPublishedMathEval() {
        redis.opsForHash().put(RedisKeys.TOOL_CATALOG, "math.eval", EventCodec.mapper().writeValueAsString(new ToolDescription(
                "math.eval", 1, "Evaluates an expression", Map.of("type", "object", "properties", Map.of("expression",
                        Map.of("type", "string")), "required", List.of("expression")))));
    }

    @AfterEach
    void removeTheAgent() {
        agents.remove("acme", name);
    }

    @Test
    void aTenantDefinesRunsUpdatesAndDeletesItsOwnAgent() throws Exception {
        HttpResponse<String> created = put(ACME, name, Map.of("model", "default", "instructions", "You are terse.",
                "tools", List.of("math.eval"), "maxSteps", 4));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location")).hasValue("/v1/agents/" + name);
        JsonNode agent = json(created);
        assertThat(agent.get("owner").asString()).isEqualTo("tenant");
        assertThat(agent.get("version").asInt()).isEqualTo(1);
        assertThat(agent.get("available").asBoolean()).isTrue();
        assertThat(agent.at("/definition/instructions").asString()).isEqualTo("You are terse.");
        assertThat(agent.at("/definition/maxSteps").asInt()).isEqualTo(4);
        assertThat(agent.at("/input/message/required").asBoolean()).isTrue();

        JsonNode listed = json(get(ACME, "/v1/agents")).get("agents");
        assertThat(listed.findValuesAsString("name")).contains("calculator", "assistant", name);
        listed.forEach(each -> assertThat(each.get("owner").asString())
                .isEqualTo(each.get("name").asString().equals(name) ? "tenant" : "platform"));

        try (TopicTail requested = TopicTail.open(Topics.AGENT_REQUESTED)) {
            HttpResponse<String> run = post(ACME, "/v1/runs", Map.of("agent", name, "input", Map.of("message", "What is 6*7?")));
            assertThat(run.statusCode()).as(run.body()).isEqualTo(202);
            String runId = json(run).get("runId").asString();
            AgentRequested event = EventCodec.decode(AgentRequested.class, requested.await(
                    record -> EventCodec.decode(AgentRequested.class, record.value()).runId().equals(runId), Duration.ofSeconds(10)).value());
            assertThat(event.agent()).isEqualTo(name);
        }

        HttpResponse<String> updated = put(ACME, name, Map.of("model", "default", "instructions", "You are verbose.",
                "tools", List.of("math.eval"), "maxSteps", 2));
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(json(get(ACME, "/v1/agents/" + name)).get("version").asInt()).isEqualTo(2);
        assertThat(agents.find("acme", name)).hasValueSatisfying(definition -> {
            assertThat(definition.instructions()).isEqualTo("You are verbose.");
            assertThat(definition.maxSteps()).isEqualTo(2);
        });

        assertThat(delete(ACME, name).statusCode()).isEqualTo(204);
        assertThat(get(ACME, "/v1/agents/" + name).statusCode()).isEqualTo(404);
        assertThat(post(ACME, "/v1/runs", Map.of("agent", name, "input", Map.of("message", "Still there?"))).statusCode())
                .isEqualTo(404);
        assertThat(delete(ACME, name).statusCode()).isEqualTo(404);
    }

    @Test
    void anotherTenantNeitherSeesNorRunsNorRemovesIt() throws Exception {
        assertThat(put(ACME, name, Map.of("model", "default", "instructions", "Acme's own.")).statusCode()).isEqualTo(201);

        HttpResponse<String> seen = get(GLOBEX, "/v1/agents/" + name);
        HttpResponse<String> run = post(GLOBEX, "/v1/runs", Map.of("agent", name, "input", Map.of("message", "Hi")));
        HttpResponse<String> removed = delete(GLOBEX, name);

        assertThat(List.of(seen.statusCode(), run.statusCode(), removed.statusCode())).containsOnly(404);
        assertThat(seen.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(seen).get("detail").asString()).isEqualTo(json(get(GLOBEX, "/v1/agents/no-such-agent")).get("detail")
                .asString().replace("no-such-agent", name));
        assertThat(json(get(GLOBEX, "/v1/agents")).get("agents").findValuesAsString("name")).doesNotContain(name);
        assertThat(get(ACME, "/v1/agents/" + name).statusCode()).isEqualTo(200);
    }

    @Test
    void aDefinitionIsCheckedAndEachFaultNamed() throws Exception {
        HttpResponse<String> refused = put(ACME, name, Map.of("model", "nope", "tools", List.of("math.eval", "rm.rf"),
                "maxSteps", 1000, "steps", List.of(), "deadline", "forever"));

        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(refused).get("errors").findValuesAsString("field"))
                .containsExactlyInAnyOrder("steps", "model", "instructions", "tools[1]", "maxSteps", "deadline");
        assertThat(get(ACME, "/v1/agents/" + name).statusCode()).isEqualTo(404);

        HttpResponse<String> badName = put(ACME, "Bad Name!", Map.of("model", "default", "instructions", "x"));
        assertThat(badName.statusCode()).isEqualTo(422);
        assertThat(json(badName).get("errors").findValuesAsString("field")).containsExactly("name");
    }

    @Test
    void thePlatformsAgentsAreReadOnly() throws Exception {
        HttpResponse<String> replaced = put(ACME, "calculator", Map.of("model", "default", "instructions", "Mine now."));
        HttpResponse<String> removed = delete(ACME, "calculator");

        assertThat(List.of(replaced.statusCode(), removed.statusCode())).containsOnly(403);
        assertThat(json(get(ACME, "/v1/agents/calculator")).get("owner").asString()).isEqualTo("platform");
    }

    private HttpResponse<String> put(String key, String agent, Map<String, Object> body) {
        return calls().send(key, "PUT", "/v1/agents/" + agent.replace(" ", "%20"), body);
    }

    private HttpResponse<String> post(String key, String path, Map<String, Object> body) {
        return calls().send(key, "POST", path, body);
    }

    private HttpResponse<String> delete(String key, String agent) {
        return calls().send(key, "DELETE", "/v1/agents/" + agent, null);
    }

    private HttpResponse<String> get(String key, String path) {
        return calls().get(key, path);
    }

    private GatewayCalls calls() {
        return new GatewayCalls(port);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return GatewayCalls.json(response);
    }
}
