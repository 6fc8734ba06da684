package io.switchboard.gateway.operations;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The dead-letter routes reach the operations service through the gateway: what the client sent
 * arrives there, what it answered comes back unchanged, and when it is down the client gets a 503
 * problem to retry, not a 500. The operations service is stood in for by a small HTTP server that
 * records what it got.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("local")
class OperationsRoutesTest {

    private static final String ADMIN = "Bearer admin-dev-key";
    private static final String ACME = "Bearer acme-dev-key";

    private static final AtomicReference<Received> received = new AtomicReference<>();
    private static final AtomicReference<Answer> answer = new AtomicReference<>();
    private static HttpServer operations = start(0);

    /** What the operations service got. */
    private record Received(String method, String uri, String authorization, String correlationId, String body) {
    }

    /** What it answers. */
    private record Answer(int status, String contentType, String body, String retryAfter) {
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void operationsUrl(DynamicPropertyRegistry registry) {
        registry.add("switchboard.operations.url", () -> "http://127.0.0.1:" + operations.getAddress().getPort());
    }

    @AfterAll
    static void stopOperations() {
        operations.stop(0);
    }

    @Test
    void anAdminRequestReachesOperationsAsSentAndItsAnswerComesBackUnchanged() throws Exception {
        String listing = "{\"total\":1,\"items\":[{\"id\":\"kafka:agent.requested.dlt:0:7\",\"payload\":\"ü\"}]}";
        answer.set(new Answer(200, "application/json", listing, null));

        HttpResponse<String> response = send("GET", "/v1/admin/dead-letters?source=kafka&limit=5", ADMIN, "corr-route-1");

        assertThat(received.get()).isEqualTo(new Received("GET", "/v1/admin/dead-letters?source=kafka&limit=5", ADMIN,
                "corr-route-1", ""));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.headers().firstValue("X-Correlation-Id")).hasValue("corr-route-1");
        assertThat(response.body()).isEqualTo(listing);
    }

    @Test
    void aRedriveAndATenantsRequestAreRoutedWithTheirStatusAndProblems() throws Exception {
        answer.set(new Answer(202, "application/json", "{\"id\":\"rabbitmq:ab\",\"redrivenTo\":\"switchboard.tasks/tool\"}", null));
        HttpResponse<String> redriven = send("POST", "/v1/admin/dead-letters/rabbitmq:ab/redrive", ADMIN, null);

        assertThat(received.get().method()).isEqualTo("POST");
        assertThat(received.get().uri()).isEqualTo("/v1/admin/dead-letters/rabbitmq:ab/redrive");
        assertThat(received.get().correlationId()).isEqualTo(redriven.headers().firstValue("X-Correlation-Id").orElseThrow());
        assertThat(redriven.statusCode()).isEqualTo(202);
        assertThat(redriven.body()).isEqualTo(answer.get().body());

        String problem = "{\"type\":\"https://switchboard.dev/problems/503\",\"title\":\"Dead letter not redriven\",\"status\":503}";
        answer.set(new Answer(503, "application/problem+json", problem, "7"));
        HttpResponse<String> refused = send("GET", "/v1/dead-letters/kafka:x", ACME, "corr-route-2");

        assertThat(received.get()).isEqualTo(new Received("GET", "/v1/dead-letters/kafka:x", ACME, "corr-route-2", ""));
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(refused.body()).isEqualTo(problem);
    }

    @Test
    void theGatewayStillRefusesAMissingKeyBeforeRouting() throws Exception {
        received.set(null);

        HttpResponse<String> tenantKeyOnAdmin = send("GET", "/v1/admin/dead-letters", ACME, "corr-route-3");
        HttpResponse<String> noKey = send("GET", "/v1/dead-letters", null, null);

        assertThat(tenantKeyOnAdmin.statusCode()).isEqualTo(401);
        assertThat(tenantKeyOnAdmin.headers().firstValue("X-Correlation-Id")).hasValue("corr-route-3");
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(noKey.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(received.get()).isNull();
    }

    @Test
    void whenOperationsIsDownTheClientGetsA503ProblemWithRetryAfter() throws Exception {
        int operationsPort = operations.getAddress().getPort();
        operations.stop(0);
        try {
            for (String path : new String[] {"/v1/admin/dead-letters", "/v1/dead-letters/kafka:x"}) {
                HttpResponse<String> response = send("GET", path, path.contains("admin") ? ADMIN : ACME, null);

                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
                JsonNode problem = EventCodec.mapper().readTree(response.body());
                assertThat(problem.get("status").asInt()).isEqualTo(503);
                assertThat(problem.get("title").asString()).isEqualTo("Operations unavailable");
                assertThat(problem.get("detail").asString()).contains("Retry the request");
            }
        } finally {
            operations = start(operationsPort);
        }
    }

    private HttpResponse<String> send(String method, String path, String authorization, String correlationId)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (correlationId != null) {
            request.header("X-Correlation-Id", correlationId);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpServer start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            server.createContext("/", OperationsRoutesTest::handle);
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void handle(HttpExchange exchange) throws IOException {
        received.set(new Received(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                exchange.getRequestHeaders().getFirst("Authorization"),
                exchange.getRequestHeaders().getFirst("X-Correlation-Id"),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        Answer given = answer.get();
        byte[] body = given.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", given.contentType());
        if (given.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", given.retryAfter());
        }
        exchange.sendResponseHeaders(given.status(), body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
