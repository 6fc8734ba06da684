package io.switchboard.worker.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Priority;
import io.switchboard.events.TenantMcpServer;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolDescription;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.events.testing.ReferenceMcpServer;
import io.switchboard.events.testing.TopicTail;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.worker.RunBudgets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Tools of MCP servers through the worker, against the reference server
 * {@code @modelcontextprotocol/server-everything} from npm ({@code npm/}, which {@code ./switchboard
 * test} installs): once over stdio as the worker's child process, once over Streamable HTTP as a
 * process the test starts, and a third server that is not running. Tasks come from the real
 * RabbitMQ and outcomes go to the real Kafka.
 */
@SpringBootTest
@ActiveProfiles("local")
@DirtiesContext
class McpToolsIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ReferenceMcpServer HTTP_SERVER = ReferenceMcpServer.startStreamableHttp();

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    TokenBudgets budgets;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) throws IOException {
        Path file = Files.createTempFile("mcp-servers", ".json");
        Files.writeString(file, EventCodec.mapper().writeValueAsString(Map.of("mcpServers", Map.of(
                "everything", Map.of("command", "node", "args", List.of(ReferenceMcpServer.SCRIPT.toString(), "stdio")),
                "remote", Map.of("url", HTTP_SERVER.url()),
                "down", Map.of("url", "http://127.0.0.1:" + ReferenceMcpServer.freePort() + "/mcp")))));
        registry.add("switchboard.mcp.servers-file", file::toString);
        registry.add("switchboard.mcp.timeout", () -> "5s");
    }

    @AfterAll
    static void stopHttpServer() {
        HTTP_SERVER.close();
    }

    @Test
    void theServersToolsArePublishedWithTheirSchemasUnderTheirPlatformNames() {
        ToolDescription echo = described("mcp:everything/echo");
        ToolDescription sum = described("mcp:remote/get-sum");

        assertThat(echo.description()).isNotBlank();
        assertThat(echo.parameters()).extractingByKey("properties").asInstanceOf(InstanceOfAssertFactories.MAP)
                .containsKey("message");
        assertThat(sum.parameters()).extractingByKey("required").asInstanceOf(InstanceOfAssertFactories.LIST).contains("a", "b");
        assertThat(redis.opsForHash().keys(RedisKeys.TOOL_CATALOG)).noneMatch(name -> name.toString().startsWith("mcp:down/"));
    }

    @Test
    void aToolIsCalledOverStdioAndAnotherOverStreamableHttp() {
        ToolOutcome echoed = run(task("mcp:everything/echo", Map.of("message", "hello from the pipeline")));
        ToolOutcome summed = run(task("mcp:remote/get-sum", Map.of("a", 2, "b", 3)));

        assertThat(echoed.status()).isEqualTo(ToolStatus.SUCCEEDED);
        assertThat(echoed.output().get("content").toString()).contains("hello from the pipeline");
        assertThat(summed.status()).isEqualTo(ToolStatus.SUCCEEDED);
        assertThat(summed.output().get("content").toString()).contains("5");
    }

    @Test
    void aServerThatIsDownFailsTheCallAsAnOutageThatIsRetriedAndTheWorkerCarriesOn() {
        ToolOutcome unreachable = run(task("mcp:down/echo", Map.of("message", "anyone?")));

        assertThat(unreachable.status()).isEqualTo(ToolStatus.FAILED);
        assertThat(unreachable.attempts()).isEqualTo(3);
        assertThat(unreachable.error()).startsWith("MCP server 'down' could not be reached");
        assertThat(run(task("mcp:everything/echo", Map.of("message", "still here"))).status()).isEqualTo(ToolStatus.SUCCEEDED);
    }

    @Test
    void aCallTheServerRefusesFailsForGoodOnTheFirstAttempt() {
        ToolOutcome refused = run(task("mcp:everything/no-such-tool", Map.of()));

        assertThat(refused.status()).isEqualTo(ToolStatus.FAILED);
        assertThat(refused.attempts()).isEqualTo(1);
        assertThat(refused.error()).contains("MCP server 'everything'");
    }

    @Test
    void aServerATenantRegisteredServesThatTenantsTasksAloneAndOnlyOnAnAllowedHost() {
        String server = "own-" + UUID.randomUUID().toString().substring(0, 8);
        redis.opsForHash().put(RedisKeys.tenantMcpServers("acme"), server, EventCodec.mapper().writeValueAsString(
                new TenantMcpServer(HTTP_SERVER.url(), Map.of("X-Api-Key", "secret"), Instant.now(), List.of())));
        redis.opsForHash().put(RedisKeys.tenantMcpServers("acme"), server + "-far", EventCodec.mapper().writeValueAsString(
                new TenantMcpServer("http://10.255.255.1/mcp", Map.of(), Instant.now(), List.of())));
        try {
            ToolOutcome own = run("acme", task("mcp:" + server + "/echo", Map.of("message", "mine")));
            ToolOutcome other = run("globex", task("mcp:" + server + "/echo", Map.of("message", "theirs")));
            ToolOutcome far = run("acme", task("mcp:" + server + "-far/echo", Map.of("message", "far away")));

            assertThat(own.status()).isEqualTo(ToolStatus.SUCCEEDED);
            assertThat(own.output().get("content").toString()).contains("mine");
            assertThat(other.status()).isEqualTo(ToolStatus.FAILED);
            assertThat(other.error()).startsWith("this worker has no tool 'mcp:" + server + "/echo'");
            assertThat(far.status()).isEqualTo(ToolStatus.FAILED);
            assertThat(far.attempts()).isEqualTo(1);
            assertThat(far.error()).contains("is not allowed");
        } finally {
            redis.opsForHash().delete(RedisKeys.tenantMcpServers("acme"), server, server + "-far");
        }
    }

    private ToolDescription described(String name) {
        String json = Awaitility.await().atMost(WAIT)
                .until(() -> redis.<String, String>opsForHash().get(RedisKeys.TOOL_CATALOG, name), Objects::nonNull);
        return EventCodec.mapper().readValue(json, ToolDescription.class);
    }

    private ToolOutcome run(ToolTask task) {
        return run("acme", task);
    }

    private ToolOutcome run(String tenantId, ToolTask task) {
        RunBudgets.open(budgets, redis, tenantId, task.runId());
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            MessageProperties properties = new MessageProperties();
            properties.setContentType(CloudEventHeaders.JSON);
            Envelope.origin(task.taskId(), "/test", ToolTask.class, tenantId, "corr-" + task.runId(), task.runId()).toHeaders()
                    .forEach(properties::setHeader);
            properties.setMessageId(task.taskId());
            properties.setPriority(task.priority().amqpPriority());
            rabbit.send(TaskQueues.WORK_EXCHANGE, TaskQueues.WORK_ROUTING_KEY, new Message(EventCodec.encode(task), properties));
            return EventCodec.decode(ToolCalled.class, called.await(record -> EventCodec.decode(ToolCalled.class, record.value())
                    .outcome().taskId().equals(task.taskId()), WAIT).value()).outcome();
        }
    }

    private static ToolTask task(String tool, Map<String, Object> args) {
        String runId = UUID.randomUUID().toString();
        return new ToolTask(runId + ".s1.t0", runId, "conv-" + runId, "assistant", 1, 0, 1, false, tool, args,
                Priority.INTERACTIVE, true);
    }
}
