package io.switchboard.syncchain;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The four roles, each its own application on its own port, answering runs through the whole chain. */
class SyncChainTest {

    private static final String KEY = "test-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<ConfigurableApplicationContext> CONTEXTS = new ArrayList<>();

    private static String gateway;
    private static String composer;
    private static String slowWorker;

    @BeforeAll
    static void startTheChain() {
        composer = start("composer");
        gateway = startGateway(start("worker"));
        slowWorker = start("worker", "--chain.tool-latency=200ms");
    }

    @AfterAll
    static void stopTheChain() {
        CONTEXTS.reversed().forEach(ConfigurableApplicationContext::close);
    }

    @Test
    void aRunAnswersWithEveryValueInTheOrderOfItsExpressions() throws Exception {
        HttpResponse<String> response = post(gateway, KEY, """
                {"agent": "calculator", "input": {"expressions": ["2*3", "sqrt(16)"]}}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode run = json(response);
        assertThat(run.get("runId").asString()).isNotBlank();
        assertThat(run.get("status").asString()).isEqualTo("succeeded");
        JsonNode results = run.get("result").get("results");
        assertThat(results).hasSize(2);
        assertThat(results.get(0).get("expression").asString()).isEqualTo("2*3");
        assertThat(results.get(0).get("value").asLong()).isEqualTo(6);
        assertThat(results.get(1).get("expression").asString()).isEqualTo("sqrt(16)");
        assertThat(results.get(1).get("value").asLong()).isEqualTo(4);
        assertThat(Instant.parse(run.get("completedAt").asString()))
                .isAfterOrEqualTo(Instant.parse(run.get("createdAt").asString()));
    }

    @Test
    void anExpressionTheToolCannotEvaluateFailsTheRunWithTheReason() throws Exception {
        HttpResponse<String> response = post(gateway, KEY, """
                {"agent": "calculator", "input": {"expressions": ["2*"]}}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode run = json(response);
        assertThat(run.get("status").asString()).isEqualTo("failed");
        JsonNode result = run.get("result").get("results").get(0);
        assertThat(result.get("expression").asString()).isEqualTo("2*");
        assertThat(result.get("error").asString()).startsWith("cannot evaluate '2*'");
    }

    @Test
    void aRunWithoutTheApiKeyIsRefused() throws Exception {
        HttpResponse<String> response = post(gateway, null, """
                {"agent": "calculator", "input": {"expressions": ["2*3"]}}""");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(response).get("status").asInt()).isEqualTo(401);
    }

    @Test
    void aRunWithoutExpressionsIsABadRequest() throws Exception {
        HttpResponse<String> response = post(gateway, KEY, """
                {"agent": "calculator", "input": {"expressions": []}}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(response).get("detail").asString()).contains("input.expressions");
    }

    @Test
    void aSlowToolMakesTheRunAtLeastAsSlow() throws Exception {
        HttpResponse<String> response = post(startGateway(slowWorker), KEY, """
                {"agent": "calculator", "input": {"expressions": ["1+1"]}}""");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode run = json(response);
        assertThat(Duration.between(Instant.parse(run.get("createdAt").asString()),
                Instant.parse(run.get("completedAt").asString()))).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void aWorkerThatDoesNotAnswerInTimeMakesTheRunAGatewayTimeout() throws Exception {
        HttpResponse<String> response = post(startGateway(slowWorker, "--chain.call-timeout=50ms"), KEY, """
                {"agent": "calculator", "input": {"expressions": ["1+1"]}}""");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(response).get("detail").asString()).contains("/execute did not answer in time");
    }

    @Test
    void aPlannerThatCannotBeReachedMakesTheRunServiceUnavailable() throws Exception {
        String nowhere;
        try (ServerSocket socket = new ServerSocket(0)) {
            nowhere = "http://127.0.0.1:" + socket.getLocalPort();
        }
        HttpResponse<String> response = post(start("gateway", "--chain.planner-url=" + nowhere, "--chain.api-key=" + KEY),
                KEY, """
                {"agent": "calculator", "input": {"expressions": ["1+1"]}}""");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(response).get("detail").asString()).contains("/plan cannot be reached");
    }

    /** A planner that calls the given worker and the shared composer, and a gateway in front of it. */
    private static String startGateway(String worker, String... plannerProperties) {
        List<String> properties = new ArrayList<>(List.of("--chain.worker-url=" + worker, "--chain.composer-url=" + composer));
        properties.addAll(List.of(plannerProperties));
        String planner = start("planner", properties.toArray(String[]::new));
        return start("gateway", "--chain.planner-url=" + planner, "--chain.api-key=" + KEY);
    }

    /** Starts one role on a free port; its base URL. */
    private static String start(String role, String... properties) {
        List<String> args = new ArrayList<>(List.of("--chain.role=" + role, "--server.port=0", "--logging.level.root=warn"));
        args.addAll(List.of(properties));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SyncChainApplication.class)
                .run(args.toArray(String[]::new));
        CONTEXTS.add(context);
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    private static HttpResponse<String> post(String baseUrl, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/runs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) {
        return JsonMapper.shared().readTree(response.body());
    }
}
