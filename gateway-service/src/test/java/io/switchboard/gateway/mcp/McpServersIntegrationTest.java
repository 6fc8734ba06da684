package io.switchboard.gateway.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.testing.ReferenceMcpServer;
import io.switchboard.gateway.web.GatewayCalls;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * MCP servers a tenant registers, against the reference server over Streamable HTTP and the real
 * Redis and Memcached: registering lists the server's tools, which the tenant's agents may then name;
 * the headers stay secret; another tenant sees nothing of it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "switchboard.models.default.base-url=http://127.0.0.1:9/v1", "switchboard.models.default.model=test-model"})
@ActiveProfiles("local")
class McpServersIntegrationTest {

    private static final String ACME = "acme-dev-key";
    private static final String GLOBEX = "globex-dev-key";
    private static final ReferenceMcpServer SERVER = ReferenceMcpServer.startStreamableHttp();

    @LocalServerPort
    int port;

    private final String name = "srv-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterAll
    static void stopServer() {
        SERVER.close();
    }

    @AfterEach
    void unregister() throws Exception {
        send(ACME, "DELETE", "/v1/mcp-servers/" + name, null);
        send(ACME, "DELETE", "/v1/agents/" + name + "-agent", null);
    }

    @Test
    void aRegisteredServersToolsAreTheTenantsAndItsHeadersStaySecret() throws Exception {
        HttpResponse<String> registered = send(ACME, "PUT", "/v1/mcp-servers/" + name,
                Map.of("url", SERVER.url(), "headers", Map.of("X-Api-Key", "s3cret-value")));

        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        assertThat(json(registered).get("tools").toString()).contains("mcp:" + name + "/echo", "mcp:" + name + "/get-sum");
        HttpResponse<String> shown = send(ACME, "GET", "/v1/mcp-servers/" + name, null);
        assertThat(shown.body()).contains("X-Api-Key").doesNotContain("s3cret-value");
        assertThat(send(ACME, "GET", "/v1/mcp-servers", null).body()).contains(name).doesNotContain("s3cret-value");
        assertThat(send(ACME, "GET", "/v1/tools", null).body()).contains("mcp:" + name + "/echo");

        HttpResponse<String> agent = send(ACME, "PUT", "/v1/agents/" + name + "-agent", Map.of("model", "default",
                "instructions", "Echo.", "tools", List.of("mcp:" + name + "/*")));
        assertThat(agent.statusCode()).as(agent.body()).isEqualTo(201);

        assertThat(send(GLOBEX, "GET", "/v1/mcp-servers/" + name, null).statusCode()).isEqualTo(404);
        assertThat(send(GLOBEX, "DELETE", "/v1/mcp-servers/" + name, null).statusCode()).isEqualTo(404);
        assertThat(send(GLOBEX, "GET", "/v1/tools", null).body()).doesNotContain("mcp:" + name + "/");
        assertThat(send(GLOBEX, "PUT", "/v1/agents/" + name + "-agent", Map.of("model", "default", "instructions", "Echo.",
                "tools", List.of("mcp:" + name + "/*"))).statusCode()).isEqualTo(422);
    }

    @Test
    void aServerOnAHostThePlatformMayNotReachOrThatDoesNotAnswerIsRefused() throws Exception {
        HttpResponse<String> elsewhere = send(ACME, "PUT", "/v1/mcp-servers/" + name, Map.of("url", "http://169.254.169.254/mcp"));
        HttpResponse<String> down = send(ACME, "PUT", "/v1/mcp-servers/" + name,
                Map.of("url", "http://127.0.0.1:" + ReferenceMcpServer.freePort() + "/mcp"));
        HttpResponse<String> malformed = send(ACME, "PUT", "/v1/mcp-servers/" + name, Map.of("command", "rm -rf /"));

        assertThat(elsewhere.statusCode()).isEqualTo(422);
        assertThat(json(elsewhere).get("errors").findValuesAsString("field")).containsExactly("url");
        assertThat(down.statusCode()).isEqualTo(422);
        assertThat(json(down).get("title").asString()).isEqualTo("MCP server not reachable");
        assertThat(json(malformed).get("errors").findValuesAsString("field")).containsExactlyInAnyOrder("url", "command");
        assertThat(send(ACME, "GET", "/v1/mcp-servers/" + name, null).statusCode()).isEqualTo(404);
    }

    private HttpResponse<String> send(String key, String method, String path, Map<String, Object> body) {
        return new GatewayCalls(port).send(key, method, path, body);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return GatewayCalls.json(response);
    }
}
