package io.switchboard.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.events.AgentRequested;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Envelope;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.events.testing.RawRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * Every route that takes an id, asked by another tenant for ids that exist: always 404, and
 * byte for byte the answer for an id that does not exist.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("local")
class TenantIsolationTest {

    private static final String ACME = "acme-dev-key";
    private static final String GLOBEX = "globex-dev-key";

    /** method, path with %s for the id, and which kind of id it takes. */
    private record Route(String method, String path, boolean deadLetter) {
    }

    private static final List<Route> ROUTES = List.of(
            new Route("GET", "/v1/runs/%s", false),
            new Route("GET", "/v1/runs/%s/events", false),
            new Route("GET", "/v1/runs/%s/usage", false),
            new Route("POST", "/v1/runs/%s/cancel", false),
            new Route("GET", "/v1/dead-letters/%s", true));

    @LocalServerPort
    int port;

    @Autowired
    StringRedisTemplate redis;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anotherTenantsIdsAnswerExactlyLikeIdsThatDoNotExistOnEveryRoute() throws Exception {
        String runId = json(send(ACME, "POST", "/v1/runs", "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1\"]}}"))
                .get("runId").asString();
        String deadLetterId = acmeDeadLetter();

        for (Route route : ROUTES) {
            String id = route.deadLetter() ? deadLetterId : runId;
            String unknown = route.deadLetter() ? "kafka:agent.requested.dlt:0:" + Long.MAX_VALUE : UUID.randomUUID().toString();
            HttpResponse<String> foreign = send(GLOBEX, route.method(), route.path().formatted(id), null);
            HttpResponse<String> missing = send(GLOBEX, route.method(), route.path().formatted(unknown), null);

            assertThat(foreign.statusCode()).as(route + " for another tenant's id").isEqualTo(404);
            assertThat(missing.statusCode()).as(route + " for an unknown id").isEqualTo(404);
            assertThat(foreign.headers().firstValue("Content-Type")).isEqualTo(missing.headers().firstValue("Content-Type"));
            assertThat(foreign.body().replace(id, "ID")).as(route.toString()).isEqualTo(missing.body().replace(unknown, "ID"));
        }
        assertThat(send(ACME, "GET", "/v1/runs/" + runId, null).statusCode()).isEqualTo(200);
        assertThat(send(ACME, "GET", "/v1/dead-letters/" + deadLetterId, null).statusCode()).isEqualTo(200);
        assertThat(send(ACME, "GET", "/v1/runs/" + runId + "/usage", null).statusCode()).isEqualTo(200);
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

    /** A dead letter of tenant acme, through the real dead-letter topic and archive. */
    private String acmeDeadLetter() throws Exception {
        String runId = "isolation-" + UUID.randomUUID();
        Envelope envelope = Envelope.origin(UUID.randomUUID().toString(), "/test", AgentRequested.class, "acme", "c", runId);
        ProducerRecord<String, Object> record = CloudEventRecords.record(Topics.deadLetter(Topics.AGENT_REQUESTED), "conv",
                envelope, null);
        record.headers().add(Topics.FAILURE_REASON_HEADER, "not valid".getBytes());
        RawRecords.send(record.topic(), "conv", "not json", record.headers());
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode item : json(send(ACME, "GET", "/v1/dead-letters?limit=50", null))) {
                if (runId.equals(item.get("runId").asString())) {
                    return item.get("id").asString();
                }
            }
            return null;
        }, id -> id != null);
    }

    private HttpResponse<String> send(String key, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return EventCodec.mapper().readTree(response.body());
    }
}
