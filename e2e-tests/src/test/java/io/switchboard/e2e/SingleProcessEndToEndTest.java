package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.bench.stack.Platform;
import io.switchboard.events.EventCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The five services in one JVM ({@code single-process}, as {@code ./switchboard up --single} runs
 * them) on the real brokers: one process listens on all their ports, and runs go through every
 * service and the store; the embedding model, which the gateway and the composer both load, works in both.
 */
class SingleProcessEndToEndTest {

    private static final String ACME = "acme-dev-key";
    private static final int PORT = TestPlatform.GATEWAY_PORT;

    private static Platform platform;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        platform = TestPlatform.create().startSingleProcess(PORT,
                List.of("-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), List.of());
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    void oneProcessServesEveryServiceAndRunsGoThroughThemAll() throws Exception {
        long pid = platform.pid("gateway-service");
        for (int i = 0; i < Platform.SERVICES.size(); i++) {
            assertThat(Platform.listensOn(pid, PORT + i)).as("%s on %d", Platform.SERVICES.get(i), PORT + i).isTrue();
            assertThat(Platform.listensOn(pid, Platform.managementPort(PORT + i))).isTrue();
        }

        Client acme = new Client(PORT, ACME);
        String calculation = acme.submit("""
                {"agent": "calculator", "input": {"expressions": ["6*7", "sqrt(16)"]}}""", Duration.ofSeconds(30));
        String word = "heron" + UUID.randomUUID().toString().substring(0, 6).replaceAll("[0-9-]", "q");
        String note = acme.submit("""
                {"agent": "notes", "input": {"remember": "The %s kayak is moored at the north jetty"}}""".formatted(word),
                Duration.ofSeconds(30));
        Map<String, JsonNode> ended = acme.awaitTerminal(List.of(calculation, note), Duration.ofSeconds(90));

        assertThat(ended.get(calculation).get("status").asString()).isEqualTo("succeeded");
        assertThat(ended.get(calculation).get("output").get("results").findValues("value")).extracting(JsonNode::asInt)
                .containsExactly(42, 4);
        assertThat(ended.get(note).get("status").asString()).isEqualTo("succeeded");
        // The composer's indexer embeds ended runs and the gateway a search's query: the embedding
        // model's tokenizer, which binds a native library, in two services' class loaders. The
        // indexer embeds the runs that ended last first, so it embeds some soon after start,
        // whatever the store held before.
        await("the composer has embedded runs").atMost(Duration.ofSeconds(60)).until(() -> embedded() > 0);
        JsonNode found = await("the note is stored and found by its words").atMost(Duration.ofSeconds(60))
                .until(() -> search("/v1/search?q=" + word), answer -> answer.get("items").toString().contains(note));
        assertThat(found.get("items")).filteredOn(hit -> hit.get("run").get("runId").asString().equals(note))
                .singleElement().satisfies(hit -> assertThat(hit.get("foundBy").toString()).contains("keywords"));
    }

    /** The runs the composer has embedded since it started, from its metrics. */
    private double embedded() throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + Platform.managementPort(PORT + Platform.SERVICES.indexOf("composer-service")) + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith("switchboard_store_embedded_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private JsonNode search(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path))
                .header("Authorization", "Bearer " + ACME).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventCodec.mapper().readTree(response.body());
    }
}
