package io.switchboard.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.gateway.web.GatewayCalls;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;
import tools.jackson.databind.JsonNode;

/**
 * Every route of the gateway's own that takes an id, asked by another tenant for ids that exist:
 * always 404, and byte for byte the answer for an id that does not exist. (The dead-letter routes
 * are the operations service's, and proved there.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("local")
class TenantIsolationTest {

    private static final String ACME = "acme-dev-key";
    private static final String GLOBEX = "globex-dev-key";

    /** method, and path with %s for the run id. */
    private record Route(String method, String path) {
    }

    private static final List<Route> ROUTES = List.of(
            new Route("GET", "/v1/runs/%s"),
            new Route("GET", "/v1/runs/%s/events"),
            new Route("GET", "/v1/runs/%s/usage"),
            new Route("POST", "/v1/runs/%s/cancel"));

    @LocalServerPort
    int port;

    @Autowired
    StringRedisTemplate redis;

    @Test
    void anotherTenantsIdsAnswerExactlyLikeIdsThatDoNotExistOnEveryRoute() throws Exception {
        String runId = json(send(ACME, "POST", "/v1/runs", "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}"))
                .get("runId").asString();

        for (Route route : ROUTES) {
            String unknown = UUID.randomUUID().toString();
            HttpResponse<String> foreign = send(GLOBEX, route.method(), route.path().formatted(runId), null);
            HttpResponse<String> missing = send(GLOBEX, route.method(), route.path().formatted(unknown), null);

            assertThat(foreign.statusCode()).as(route + " for another tenant's id").isEqualTo(404);
            assertThat(missing.statusCode()).as(route + " for an unknown id").isEqualTo(404);
            assertThat(foreign.headers().firstValue("Content-Type")).isEqualTo(missing.headers().firstValue("Content-Type"));
            assertThat(foreign.body().replace(runId, "ID")).as(route.toString()).isEqualTo(missing.body().replace(unknown, "ID"));
        }
        assertThat(send(ACME, "GET", "/v1/runs/" + runId, null).statusCode()).isEqualTo(200);
        assertThat(send(ACME, "GET", "/v1/runs/" + runId + "/usage", null).statusCode()).isEqualTo(200);
    }

    @Test
    void anotherTenantsAgentAnswersExactlyLikeAnAgentThatDoesNotExist() throws Exception {
        String agent = "iso-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(send(ACME, "PUT", "/v1/agents/" + agent, "{\"model\": \"default\", \"instructions\": \"Acme's.\"}").statusCode())
                .isEqualTo(201);
        try {
            for (String method : List.of("GET", "DELETE")) {
                String unknown = "iso-" + UUID.randomUUID().toString().substring(0, 8);
                HttpResponse<String> foreign = send(GLOBEX, method, "/v1/agents/" + agent, null);
                HttpResponse<String> missing = send(GLOBEX, method, "/v1/agents/" + unknown, null);

                assertThat(List.of(foreign.statusCode(), missing.statusCode())).as(method).containsOnly(404);
                assertThat(foreign.body().replace(agent, "ID")).as(method).isEqualTo(missing.body().replace(unknown, "ID"));
            }
            assertThat(send(ACME, "GET", "/v1/agents/" + agent, null).statusCode()).isEqualTo(200);
        } finally {
            send(ACME, "DELETE", "/v1/agents/" + agent, null);
        }
    }

    @Test
    void aRunsKeysInRedisAreNamespacedByItsTenant() throws Exception {
        String runId = json(send(ACME, "POST", "/v1/runs", "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}"))
                .get("runId").asString();

        Set<String> keys = new HashSet<>();
        try (Cursor<String> scan = redis.scan(ScanOptions.scanOptions().match("*" + runId + "*").count(10_000).build())) {
            scan.forEachRemaining(keys::add);
        }
        assertThat(keys).isNotEmpty().allSatisfy(key -> assertThat(key).startsWith("sb:acme:"));
    }

    private HttpResponse<String> send(String key, String method, String path, String body) {
        return new GatewayCalls(port).send(key, method, path, body);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return GatewayCalls.json(response);
    }
}
