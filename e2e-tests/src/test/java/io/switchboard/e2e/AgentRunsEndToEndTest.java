package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.bench.LoadGenerator;
import io.switchboard.bench.stack.Platform;
import io.switchboard.events.EventCodec;
import io.switchboard.events.testing.SseEvents;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The whole reference flow: gateway → Kafka → planner → RabbitMQ → worker → Kafka → composer,
 * with the five services as processes on the real brokers, driven only through the REST API.
 */
class AgentRunsEndToEndTest {

    private static final String ACME = "acme-dev-key";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);

    private static Platform platform;
    private static HttpServer pages;
    private static Zipkin zipkin;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        page("/kafka.html", "text/html", """
                <html><head><title>Kafka</title></head><body><h1>About Kafka</h1>
                <p>Kafka is a distributed event log. Kafka keeps the events of a partition in order.
                Consumers in a group share the partitions of a topic.</p></body></html>""");
        page("/rabbitmq.txt", "text/plain", "RabbitMQ routes messages through exchanges to queues. "
                + "Priority queues deliver urgent messages first. Ordering across queues is not kept.");
        pages.createContext("/slow.txt", exchange -> {
            LockSupport.parkNanos(Duration.ofSeconds(3).toNanos()); // a slow page: its run is still going when cancelled
            byte[] body = "slow".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        pages.start();
        zipkin = Zipkin.start();
        platform = TestPlatform.create().startServices(TestPlatform.GATEWAY_PORT, List.of(
                "--management.tracing.export.zipkin.enabled=true", "--management.tracing.export.zipkin.endpoint=" + Zipkin.endpoint(),
                "--management.tracing.sampling.probability=1.0",
                "--management.opentelemetry.tracing.export.schedule-delay=500ms",
                "--logging.level.io.switchboard.planner.planning.PlannedStep=DEBUG", "--logging.pattern.correlation=[runId=%X{runId:-}] "),
                1, 1);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
        pages.stop(0);
        zipkin.close();
    }

    @Test
    void calculatorStreamsItsEventsLiveAndAClientResumesAfterLastEventId() throws Exception {
        JsonNode accepted = create(ACME, """
                {"agent": "calculator", "input": {"expressions": ["2+2", "sqrt(16)*3"]}}""");
        String runId = accepted.get("runId").asString();

        List<SseEvents.Event> events = events(runId, null);

        assertThat(events.getFirst().name()).isEqualTo("run.accepted");
        assertThat(events.getLast().name()).isEqualTo("run.completed");
        assertThat(events).extracting(SseEvents.Event::name).containsExactlyInAnyOrder("run.accepted", "step.planned",
                "tool.succeeded", "tool.succeeded", "step.completed", "run.completed");
        List<SseEvents.Event> resumed = events(runId, events.get(2).id());
        assertThat(resumed).isEqualTo(events.subList(3, events.size()));

        JsonNode run = run(runId);
        assertThat(run.get("status").asString()).isEqualTo("succeeded");
        assertThat(run.get("conversationId").asString()).isEqualTo(accepted.get("conversationId").asString());
        assertThat(run.get("output").get("results").findValuesAsString("expression")).containsExactly("2+2", "sqrt(16)*3");
        assertThat(run.get("output").get("results").findValues("value")).extracting(JsonNode::asInt).containsExactly(4, 12);
        assertThat(run.get("toolCalls")).hasSize(2).allSatisfy(call -> {
            assertThat(call.get("tool").asString()).isEqualTo("math.eval");
            assertThat(call.get("status").asString()).isEqualTo("succeeded");
            assertThat(call.get("attempts").asInt()).isEqualTo(1);
        });
        assertThat(run.get("completedAt").isNull()).isFalse();
    }

    @Test
    void everyEventAndTheRunReadAsTheReadmeShowsThemAndFitTheirSchemas() throws Exception {
        RunStreamContract contract = RunStreamContract.fromReadme();
        String mixed = create(ACME, """
                {"agent": "calculator", "input": {"expressions": ["2+2", "1/0"]}}""").get("runId").asString();
        String failed = create(ACME, """
                {"agent": "calculator", "input": {"expressions": ["1/0"]}}""").get("runId").asString();
        String base = "http://127.0.0.1:" + pages.getAddress().getPort();
        String cancelled = create(ACME, """
                {"agent": "research", "input": {"urls": ["%s/slow.txt"], "question": "Is it slow?"}}"""
                .formatted(base)).get("runId").asString();
        HttpResponse<String> cancel = http.send(HttpRequest.newBuilder(uri("/v1/runs/" + cancelled + "/cancel"))
                .header("Authorization", "Bearer " + ACME).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);

        List<SseEvents.Event> events = new ArrayList<>(events(mixed, null));
        events.addAll(events(failed, null));
        events.addAll(events(cancelled, null));

        assertThat(events).extracting(SseEvents.Event::name).contains("run.accepted", "step.planned", "tool.succeeded",
                "tool.failed", "step.completed", "run.completed", "run.failed", "run.cancelled");
        events.forEach(event -> contract.assertEventAsDocumented(event.name(), event.data()));
        contract.assertRunAsDocumented(run(mixed));
        assertThat(run(failed).get("status").asString()).isEqualTo("failed");
        assertThat(run(cancelled).get("status").asString()).isEqualTo("cancelled");
    }

    /** One run is one trace, across Kafka and RabbitMQ: the gateway's accept, the planner, each call in the worker, the composer. */
    @Test
    void aRunIsOneTraceThroughEveryServiceInZipkin() throws Exception {
        String base = "http://127.0.0.1:" + pages.getAddress().getPort();
        String runId = create(ACME, """
                {"agent": "research", "input": {"urls": ["%1$s/kafka.html", "%1$s/rabbitmq.txt"], "question": "How does Kafka keep order?"}}"""
                .formatted(base)).get("runId").asString();
        assertThat(events(runId, null).getLast().name()).isEqualTo("run.completed");
        List<String> services = List.of("gateway-service", "planner-service", "worker-service", "composer-service");

        JsonNode trace = await("the run's trace, with spans of every service").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1)).until(() -> zipkin.tracesOfRun(runId).stream()
                        .filter(spans -> serviceNames(spans).containsAll(services)).findFirst().orElse(null), Objects::nonNull);

        List<String> names = new ArrayList<>();
        long first = Long.MAX_VALUE;
        long last = 0;
        for (JsonNode span : trace) {
            names.add(span.get("localEndpoint").get("serviceName").asString() + ": " + span.get("name").asString());
            first = Math.min(first, span.get("timestamp").asLong());
            last = Math.max(last, span.get("timestamp").asLong() + span.path("duration").asLong(0));
        }
        System.out.printf("Trace %s of run %s: %d spans over %s in %.0f ms%n%s%n", trace.get(0).get("traceId").asString(), runId,
                trace.size(), serviceNames(trace), (last - first) / 1000.0, String.join("\n", names.stream().sorted().toList()));
        assertThat(serviceNames(trace)).containsAll(services);
        assertThat(trace).allSatisfy(span -> assertThat(span.get("traceId").asString()).isEqualTo(trace.get(0).get("traceId").asString()));
        // The run's baggage came with its record: the planner's line after it planned (outside any baggage
        // the planner set itself while it sent) carries the run's id.
        try (Stream<String> lines = Files.lines(Path.of("target", "e2e", "logs", "planner-service.log"))) {
            assertThat(lines.filter(line -> line.contains("planned step 1 (") && line.contains("of run " + runId)))
                    .singleElement().asString().contains("[runId=" + runId + "]");
        }
    }

    private static Set<String> serviceNames(JsonNode spans) {
        Set<String> names = new TreeSet<>();
        spans.forEach(span -> names.add(span.get("localEndpoint").get("serviceName").asString()));
        return names;
    }

    @Test
    void researchFetchesThenSummarizesInTwoStepsAndNamesWhatItCouldNotRead() throws Exception {
        String base = "http://127.0.0.1:" + pages.getAddress().getPort();
        String runId = create(ACME, """
                {"agent": "research", "priority": "background", "input": {
                  "urls": ["%1$s/kafka.html", "%1$s/rabbitmq.txt", "%1$s/missing.html"],
                  "question": "How does Kafka keep events in order?"}}""".formatted(base)).get("runId").asString();

        List<SseEvents.Event> events = events(runId, null);

        assertThat(events).extracting(SseEvents.Event::name).filteredOn("step.planned"::equals).hasSize(2);
        assertThat(events.getLast().name()).isEqualTo("run.completed");
        JsonNode output = run(runId).get("output");
        assertThat(output.get("question").asString()).isEqualTo("How does Kafka keep events in order?");
        assertThat(output.get("sources").findValuesAsString("url")).containsExactly(base + "/kafka.html", base + "/rabbitmq.txt");
        assertThat(output.get("digest").asString()).startsWith("Kafka keeps the events of a partition in order.")
                .contains("[" + base + "/kafka.html]");
        assertThat(output.get("unavailable").get(0).get("url").asString()).isEqualTo(base + "/missing.html");
        assertThat(output.get("unavailable").get(0).get("error").asString()).endsWith("answered 404");
    }

    @Test
    void notesRecallsInALaterRunWhatAnEarlierRunOfTheConversationRemembered() throws Exception {
        String conversation = "conv-" + UUID.randomUUID();
        String remember = create(ACME, """
                {"agent": "notes", "conversationId": "%s", "input": {"remember": "The staging database listens on 5433"}}"""
                .formatted(conversation)).get("runId").asString();
        assertThat(events(remember, null).getLast().name()).isEqualTo("run.completed");

        String recall = create(ACME, """
                {"agent": "notes", "conversationId": "%s", "input": {"recall": "staging database"}}"""
                .formatted(conversation)).get("runId").asString();
        assertThat(events(recall, null).getLast().name()).isEqualTo("run.completed");

        assertThat(run(recall).get("output").get("facts").get(0).asString()).isEqualTo("The staging database listens on 5433");
        String otherConversation = create(ACME, """
                {"agent": "notes", "input": {"recall": "staging database"}}""").get("runId").asString();
        events(otherConversation, null);
        assertThat(run(otherConversation).get("output").get("facts")).isEmpty();
    }

    @Test
    void anotherTenantCannotSeeTheRun() throws Exception {
        String runId = create(ACME, "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"1+1\"]}}").get("runId").asString();

        HttpResponse<String> foreign = http.send(get("/v1/runs/" + runId, "globex-dev-key"), HttpResponse.BodyHandlers.ofString());

        assertThat(foreign.statusCode()).isEqualTo(404);
        assertThat(foreign.body()).contains("There is no run '" + runId + "'");
    }

    /** The OpenAPI document describes what the gateway really answers: each status, content type and body. */
    @Test
    void theOpenApiDocumentDescribesTheRealAnswersOfARunsFlow() throws Exception {
        HttpResponse<String> document = http.send(HttpRequest.newBuilder(uri("/v3/api-docs")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(document.statusCode()).isEqualTo(200);
        OpenApiContract api = new OpenApiContract(document.body());
        assertThat(EventCodec.mapper().readTree(document.body()).get("openapi").asString()).startsWith("3.1");
        assertThat(http.send(HttpRequest.newBuilder(uri("/swagger-ui/index.html")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);

        HttpResponse<String> accepted = send(post("/v1/runs", ACME, """
                {"agent": "calculator", "input": {"expressions": ["2+2", "1/0"]}}"""), 202);
        api.check("POST", "/v1/runs", accepted);
        String runId = EventCodec.mapper().readTree(accepted.body()).get("runId").asString();
        api.check("GET", "/v1/runs/{runId}", send(get("/v1/runs/" + runId, ACME), 200));
        HttpResponse<InputStream> stream = http.send(get("/v1/runs/" + runId + "/events", ACME),
                HttpResponse.BodyHandlers.ofInputStream());
        stream.body().close();
        api.check("GET", "/v1/runs/{runId}/events", stream.statusCode(), stream.headers(), null);
        events(runId, null);
        api.check("GET", "/v1/runs/{runId}", send(get("/v1/runs/" + runId, ACME), 200));
        api.check("GET", "/v1/runs", await("the run in the store").atMost(Duration.ofSeconds(30)).until(
                () -> send(get("/v1/runs?limit=5", ACME), 200), listed -> listed.body().contains(runId)));
        api.check("GET", "/v1/agents", send(get("/v1/agents", ACME), 200));
        api.check("GET", "/v1/runs/{runId}", send(get("/v1/runs/no-such-run", ACME), 404));
        api.check("GET", "/v1/runs/{runId}", send(HttpRequest.newBuilder(uri("/v1/runs/" + runId)).build(), 401));
        api.check("GET", "/v1/runs", send(get("/v1/runs?limit=many", ACME), 400));
        api.check("POST", "/v1/runs", send(post("/v1/runs", ACME, "{\"agent\": "), 400));
        api.check("POST", "/v1/runs", send(post("/v1/runs", ACME, """
                {"agent": "calculator", "input": {}}"""), 422));

        System.out.println(api.summary());
        assertThat(api.violations()).isEmpty();
    }

    private HttpResponse<String> send(HttpRequest request, int status) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s", request.method(), request.uri(), response.body()).isEqualTo(status);
        return response;
    }

    private static HttpRequest post(String path, String apiKey, String body) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void theLoadGeneratorRunsAShortScenarioAndPrintsItsTable() throws Exception {
        String table = LoadGenerator.table("--rate=5", "--duration=2s", "--warmup=0s",
                "--gateway=http://127.0.0.1:" + TestPlatform.GATEWAY_PORT);

        assertThat(table.lines().toList()).first().isEqualTo("| figure | value |");
        assertThat(table.lines()).allMatch(line -> line.startsWith("| ") && line.endsWith(" |") || line.equals("|---|---|"));
        assertThat(table).contains("| requests | 10 sent, 10 accepted (202), 0 errors |");
        assertThat(table).contains("| runs | 10 succeeded, 0 failed, 0 not ended |");
        assertThat(table).contains("| tool outcomes served from the tool-output cache | 0 |");
        assertThat(table).containsPattern("\\| end-to-end latency \\(ms\\) \\| p50 [0-9.]+, p95 [0-9.]+, p99 [0-9.]+");
        assertThat(table).contains("| hop gateway -> planner (ms) | p50");
    }

    private JsonNode create(String apiKey, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/v1/runs"))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return EventCodec.mapper().readTree(response.body());
    }

    private JsonNode run(String runId) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(get("/v1/runs/" + runId, ACME), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return EventCodec.mapper().readTree(response.body());
    }

    private List<SseEvents.Event> events(String runId, String lastEventId) throws IOException, InterruptedException {
        return SseEvents.read(uri("/v1/runs/" + runId + "/events"), ACME, lastEventId, RUN_TIMEOUT);
    }

    private static HttpRequest get(String path, String apiKey) {
        return HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + apiKey).build();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + TestPlatform.GATEWAY_PORT + path);
    }

    private static void page(String path, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        pages.createContext(path, exchange -> {
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
    }
}
