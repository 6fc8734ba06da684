package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.bench.LoadGenerator;
import io.switchboard.bench.stack.Platform;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.testing.SseEvents;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The run store through the REST API, with the five services on the real brokers and PostgreSQL:
 * ended runs read from the store with the same JSON once Redis has let them go, listing, search,
 * conversations, erasure, and the replay drill.
 */
class RunStoreEndToEndTest {

    private static final String ACME = "acme-dev-key";
    private static final String GLOBEX = "globex-dev-key";
    private static final String ADMIN = "admin-dev-key";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

    private static Platform platform;
    private static LettuceConnectionFactory redisConnections;
    private static StringRedisTemplate redis;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        // Redis keeps an ended run for 2 s once it is stored, so the tests see reads move to the store.
        platform = TestPlatform.create().startServices(TestPlatform.GATEWAY_PORT,
                List.of("--switchboard.store.live-retention=2s"), 1, 1);
        redisConnections = new LettuceConnectionFactory("127.0.0.1", 6379);
        redisConnections.afterPropertiesSet();
        redis = new StringRedisTemplate(redisConnections);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
        if (redisConnections != null) {
            redisConnections.destroy();
        }
    }

    @Test
    void anEndedRunReadsTheSameFromTheStoreOnceRedisHasLetItGo() throws Exception {
        String runId = create(ACME, """
                {"agent": "calculator", "input": {"expressions": ["6*7", "1/0"]}}""").get("runId").asString();
        List<SseEvents.Event> live = events(runId, null);
        String liveRun = get(ACME, "/v1/runs/" + runId).body();
        String liveUsage = get(ACME, "/v1/runs/" + runId + "/usage").body();
        assertThat(live.getLast().name()).isEqualTo("run.completed");

        await("Redis lets the stored run go").atMost(Duration.ofSeconds(30))
                .until(() -> !redis.hasKey(RedisKeys.runEvents("acme", runId)) && !redis.hasKey(RedisKeys.tokensPerRun("acme", runId)));

        assertThat(get(ACME, "/v1/runs/" + runId).body()).isEqualTo(liveRun);
        assertThat(events(runId, null)).isEqualTo(live);
        assertThat(events(runId, live.get(2).id())).isEqualTo(live.subList(3, live.size()));
        HttpResponse<String> cancel = http.send(request(ACME, "/v1/runs/" + runId + "/cancel")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(cancel.statusCode()).isEqualTo(409);
        assertThat(cancel.body()).contains("already ended with run.completed");
        assertThat(get(ACME, "/v1/runs/" + runId + "/usage").body()).isEqualTo(liveUsage);
        assertThat(liveUsage).contains("\"used\":");
        assertThat(get(GLOBEX, "/v1/runs/" + runId).statusCode()).isEqualTo(404);
        assertThat(get(GLOBEX, "/v1/runs/" + runId + "/events").statusCode()).isEqualTo(404);
    }

    @Test
    void aTenantListsItsRunsPageByPageFindsThemByWhatTheySaidAndReadsAConversation() throws Exception {
        String conversation = "conv-" + UUID.randomUUID();
        String word = "zebra" + UUID.randomUUID().toString().substring(0, 6).replaceAll("[0-9-]", "q");
        List<String> runs = new ArrayList<>();
        runs.add(runIn(conversation, """
                {"agent": "notes", "input": {"remember": "The %s umbrella is kept in cupboard seven"}}""".formatted(word)));
        runs.add(runIn(conversation, """
                {"agent": "notes", "input": {"recall": "umbrella"}}"""));
        runs.add(runIn(conversation, """
                {"agent": "calculator", "input": {"expressions": ["7*191"]}}"""));
        awaitStored(ACME, conversation, 3);

        JsonNode first = json(get(ACME, "/v1/runs?conversationId=" + conversation + "&limit=2"));
        assertThat(first.get("items")).extracting(run -> run.get("runId").asString()).containsExactly(runs.get(2), runs.get(1));
        JsonNode second = json(get(ACME, "/v1/runs?conversationId=" + conversation + "&limit=2&cursor="
                + first.get("nextCursor").asString()));
        assertThat(second.get("items")).extracting(run -> run.get("runId").asString()).containsExactly(runs.get(0));
        assertThat(second.get("nextCursor").isNull()).isTrue();
        JsonNode item = second.get("items").get(0);
        assertThat(item.get("agent").asString()).isEqualTo("notes");
        assertThat(item.get("status").asString()).isEqualTo("succeeded");
        assertThat(item.get("toolCallCount").asInt()).isEqualTo(1);
        assertThat(json(get(ACME, "/v1/runs?conversationId=" + conversation + "&agent=calculator&status=succeeded"))
                .get("items")).hasSize(1);
        assertThat(json(get(GLOBEX, "/v1/runs?conversationId=" + conversation)).get("items")).isEmpty();
        HttpResponse<String> bad = get(ACME, "/v1/runs?status=finished");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(bad.body()).contains("status must be one of");
        assertThat(get(ACME, "/v1/runs?cursor=forged").statusCode()).isEqualTo(400);

        JsonNode found = json(get(ACME, "/v1/search?q=" + word + "+umbrella"));
        // The first run said it; the second answered with it (the fact it recalled). The keywords
        // find exactly those two; meaning may add others, and the runs are embedded a little later.
        List<JsonNode> byKeywords = found.get("items").valueStream()
                .filter(hit -> hit.get("foundBy").toString().contains("keywords")).toList();
        assertThat(byKeywords).extracting(hit -> hit.get("run").get("runId").asString())
                .containsExactlyInAnyOrder(runs.get(0), runs.get(1));
        assertThat(byKeywords).allSatisfy(hit -> {
            assertThat(hit.get("matched").asString()).isEqualTo(hit.get("run").get("runId").asString().equals(runs.get(0))
                    ? "input" : "answer");
            assertThat(hit.get("snippet").asString()).contains("<mark>" + word + "</mark>");
        });
        // No word in common, the same meaning: found once the run is embedded, by meaning alone.
        String rainGear = "/v1/search?limit=100&q=" + URLEncoder.encode("where did I leave my rain gear", StandardCharsets.UTF_8);
        JsonNode byMeaning = await("the run is indexed by meaning").atMost(Duration.ofSeconds(60))
                .until(() -> json(get(ACME, rainGear)), answer -> answer.get("items").toString().contains(runs.get(0)));
        assertThat(byMeaning.get("items")).filteredOn(hit -> hit.get("run").get("runId").asString().equals(runs.get(0)))
                .singleElement().satisfies(hit -> assertThat(hit.get("foundBy")).extracting(JsonNode::asString).containsExactly("meaning"));
        assertThat(json(get(GLOBEX, "/v1/search?q=" + word)).get("items").toString()).doesNotContain(runs.get(0), runs.get(1));
        assertThat(get(ACME, "/v1/search").statusCode()).isEqualTo(400);

        JsonNode read = json(get(ACME, "/v1/conversations/" + conversation));
        assertThat(read.get("runs")).extracting(run -> run.get("runId").asString()).containsExactlyElementsOf(runs);
        assertThat(read.get("messages")).hasSize(6);
        assertThat(read.get("messages").get(0).get("role").asString()).isEqualTo("user");
        assertThat(read.get("messages").get(1).get("role").asString()).isEqualTo("assistant");
        assertThat(get(GLOBEX, "/v1/conversations/" + conversation).statusCode()).isEqualTo(404);

        // Erased, so that the store a developer runs this against again and again does not fill up
        // with runs as close to the query by meaning as this one, which would crowd it out of the hits.
        assertThat(http.send(request(ACME, "/v1/conversations/" + conversation).DELETE().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void erasingAConversationRemovesItsRunsSessionAndCachedToolOutputsEverywhere() throws Exception {
        String conversation = "conv-" + UUID.randomUUID();
        String expression = "%d*17".formatted(Math.floorMod(UUID.randomUUID().getMostSignificantBits(), 1_000_000_000L));
        List<String> runs = List.of(
                runIn(conversation, """
                        {"agent": "notes", "input": {"remember": "the door code is 4321"}}"""),
                runIn(conversation, """
                        {"agent": "calculator", "input": {"expressions": ["%s"]}}""".formatted(expression)));
        awaitStored(ACME, conversation, 2);
        assertThat(redis.hasKey(RedisKeys.session("acme", conversation, "facts"))).isTrue();
        String cached = RedisKeys.toolOutput("acme", "math.eval", 1, Map.of("expression", expression));
        assertThat(redis.hasKey(cached)).isTrue();
        assertThat(get(GLOBEX, "/v1/conversations/" + conversation).statusCode()).isEqualTo(404);
        HttpResponse<String> foreign = http.send(request(GLOBEX, "/v1/conversations/" + conversation).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).isEqualTo(404);

        HttpResponse<String> erased = http.send(request(ACME, "/v1/conversations/" + conversation).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
        JsonNode report = EventCodec.mapper().readTree(erased.body());
        assertThat(report.get("runs")).extracting(JsonNode::asString).containsExactlyInAnyOrderElementsOf(runs);
        assertThat(report.get("cachedToolOutputs").asInt()).isEqualTo(1);
        assertThat(report.get("redisKeys").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(redis.hasKey(cached)).isFalse();
        assertThat(redis.keys("sb:acme:*" + conversation + "*")).isEmpty();
        for (String runId : runs) {
            assertThat(redis.keys("sb:acme:*" + runId + "*")).isEmpty();
            assertThat(get(ACME, "/v1/runs/" + runId).statusCode()).isEqualTo(404);
        }
        assertThat(get(ACME, "/v1/conversations/" + conversation).statusCode()).isEqualTo(404);
        assertThat(json(get(ACME, "/v1/runs?conversationId=" + conversation)).get("items")).isEmpty();
    }

    @Test
    void theReplayDrillRebuildsAThousandRunsFromKafkaAndNamesTheOneCorruptedInTheStore() throws Exception {
        // One run end to end first: consumer groups that a stack stopped just before still held wait out
        // their session timeout before the load starts, not during it.
        runIn("warm-up-" + UUID.randomUUID(), "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1+1\"]}}");
        Instant from = Instant.now();
        // 20 runs/s: what the test stack (C1 only, 256 MB, the pipeline at nice 10) keeps up with on a busy day.
        String table = LoadGenerator.table("--rate=20", "--duration=50s", "--warmup=0s",
                "--gateway=http://127.0.0.1:" + TestPlatform.GATEWAY_PORT);
        assertThat(table).contains("| runs | 1000 succeeded, 0 failed, 0 not ended |");
        Instant to = Instant.now();
        try (Connection store = store()) {
            // The store's writer reads three topics, which Kafka does not order between them: a run's end may be
            // stored before its last calls are.
            await("the store has every run ended, with its three calls").atMost(Duration.ofMinutes(1))
                    .until(() -> endedBetween(store, from, to) >= 1000);

            JsonNode clean = replay(from, to);
            assertThat(clean.get("runsCompared").asInt()).isGreaterThanOrEqualTo(1000);
            assertThat(clean.get("different")).as("runs that differ, with the fields").isEmpty();
            assertThat(clean.get("equal").asInt()).isEqualTo(clean.get("runsCompared").asInt());
            assertThat(clean.get("missingInStore")).isEmpty();
            assertThat(clean.get("missingInReplay")).isEmpty();

            String corrupted;
            try (PreparedStatement pick = store.prepareStatement(
                    "SELECT run_id FROM runs WHERE tenant = 'acme' AND created_at >= ? AND created_at < ? LIMIT 1")) {
                pick.setTimestamp(1, Timestamp.from(from));
                pick.setTimestamp(2, Timestamp.from(to));
                ResultSet rows = pick.executeQuery();
                assertThat(rows.next()).isTrue();
                corrupted = rows.getString(1);
            }
            try (PreparedStatement corrupt = store.prepareStatement(
                    "UPDATE runs SET output = '{\"results\": []}' WHERE tenant = 'acme' AND run_id = ?")) {
                corrupt.setString(1, corrupted);
                assertThat(corrupt.executeUpdate()).isEqualTo(1);
            }

            JsonNode drill = replay(from, to);
            assertThat(drill.get("different")).singleElement().satisfies(difference -> {
                assertThat(difference.get("runId").asString()).isEqualTo(corrupted);
                assertThat(difference.get("fields")).extracting(JsonNode::asString).containsExactly("output");
            });
            assertThat(drill.get("equal").asInt()).isEqualTo(drill.get("runsCompared").asInt() - 1);
        }
    }

    private JsonNode replay(Instant from, Instant to) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + platform.port("operations-service") + "/v1/admin/replays"))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"from\": \"%s\", \"to\": \"%s\"}".formatted(from, to))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventCodec.mapper().readTree(response.body());
    }

    private static Connection store() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/switchboard", "switchboard", "switchboard");
    }

    private static int endedBetween(Connection store, Instant from, Instant to) throws SQLException {
        try (PreparedStatement count = store.prepareStatement(
                "SELECT count(*) FROM runs r WHERE created_at >= ? AND created_at < ? AND completed_at IS NOT NULL "
                        + "AND (SELECT count(*) FROM tool_calls t WHERE t.tenant = r.tenant AND t.run_id = r.run_id) = 3")) {
            count.setTimestamp(1, Timestamp.from(from));
            count.setTimestamp(2, Timestamp.from(to));
            ResultSet rows = count.executeQuery();
            rows.next();
            return rows.getInt(1);
        }
    }

    /** Runs one run of the conversation to its end; its id. */
    private String runIn(String conversation, String body) throws Exception {
        String runId = create(ACME, body.replaceFirst("\\{", "{\"conversationId\": \"" + conversation + "\", ")).get("runId").asString();
        assertThat(events(runId, null).getLast().name()).isEqualTo("run.completed");
        return runId;
    }

    private void awaitStored(String apiKey, String conversation, int runs) {
        await("the store has the conversation's runs ended").atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode items = json(get(apiKey, "/v1/runs?conversationId=" + conversation)).get("items");
            return items.size() == runs && items.valueStream().allMatch(run -> !run.get("completedAt").isNull());
        });
    }

    private JsonNode create(String apiKey, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request(apiKey, "/v1/runs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return EventCodec.mapper().readTree(response.body());
    }

    private HttpResponse<String> get(String apiKey, String path) throws IOException, InterruptedException {
        return http.send(request(apiKey, path).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return EventCodec.mapper().readTree(response.body());
    }

    private List<SseEvents.Event> events(String runId, String lastEventId) throws IOException, InterruptedException {
        return SseEvents.read(uri("/v1/runs/" + runId + "/events"), ACME, lastEventId, RUN_TIMEOUT);
    }

    private static HttpRequest.Builder request(String apiKey, String path) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + apiKey);
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + TestPlatform.GATEWAY_PORT + path);
    }
}
