package io.switchboard.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class HttpFetchToolTest {

    private HttpServer server;
    private final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();
    private final CountDownLatch endlessDropped = new CountDownLatch(1);
    private final HttpFetchTool tool = new HttpFetchTool(new HttpFetchTool.HttpToolProperties(
            List.of("127.0.0.1"), List.of("1024-65535"), null, Duration.ofSeconds(2), DataSize.ofBytes(200)));

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/page", exchange -> {
            idempotencyKeys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
            respond(exchange, 200, "text/html", "<html><head><title>t</title></head><body><h1>Title</h1>"
                    + "<p>First &amp; only.</p><script>x()</script></body></html>");
        });
        server.createContext("/busy", exchange -> respond(exchange, 503, "text/plain", "later"));
        server.createContext("/gone", exchange -> respond(exchange, 404, "text/plain", "no"));
        server.createContext("/big", exchange -> respond(exchange, 200, "text/plain", "x".repeat(300)));
        server.createContext("/endless", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = "y".repeat(8192).getBytes(StandardCharsets.UTF_8);
            try (var out = exchange.getResponseBody()) {
                for (int sent = 0; sent < 32 * 1024; sent++) { // 256 MB at most: more than socket buffers hold
                    out.write(chunk);
                    out.flush();
                }
            } catch (IOException e) {
                endlessDropped.countDown();
            }
        });
        server.createContext("/moved", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://example.com/");
            respond(exchange, 302, "text/plain", "");
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void fetchesTheReadableTextAndSendsTheIdempotencyKey() {
        Map<String, Object> output = fetch("/page");

        assertThat(output.get("status")).isEqualTo(200);
        assertThat(output.get("text")).isEqualTo("Title\n\nFirst & only.");
        assertThat(idempotencyKeys).containsExactly("run-1.s1.t0");
    }

    @Test
    void cutsBodiesAtTheSizeLimit() {
        Map<String, Object> output = fetch("/big");

        assertThat(output.get("truncated")).isEqualTo(true);
        assertThat(output.get("text")).isEqualTo("x".repeat(200));
    }

    @Test
    void anEndlessBodyIsCutAndItsConnectionDroppedRatherThanReadToTheEnd() throws InterruptedException {
        Map<String, Object> output = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> fetch("/endless"));

        assertThat(output.get("truncated")).isEqualTo(true);
        assertThat(output.get("bytes")).isEqualTo(200);
        assertThat(endlessDropped.await(5, TimeUnit.SECONDS)).as("the server saw the connection dropped").isTrue();
    }

    @Test
    void aServerErrorIsWorthARetryAndAClientErrorIsNot() {
        assertThatThrownBy(() -> fetch("/busy"))
                .isInstanceOfSatisfying(ToolFailure.class, failure -> assertThat(failure.retryable()).isTrue())
                .hasMessageEndingWith("answered 503");
        assertThatThrownBy(() -> fetch("/gone"))
                .isInstanceOfSatisfying(ToolFailure.class, failure -> assertThat(failure.retryable()).isFalse())
                .hasMessageEndingWith("answered 404");
    }

    @Test
    void redirectsAreNotFollowed() {
        assertThatThrownBy(() -> fetch("/moved")).hasMessageEndingWith("answered 302");
    }

    @Test
    void onlyAllowedHostsAreContacted() {
        String url = "http://localhost:" + server.getAddress().getPort() + "/page";

        assertThatThrownBy(() -> tool.execute(new ToolCall("acme", "c", "run-1", 1, "k", Map.of("url", url))))
                .isInstanceOfSatisfying(ToolFailure.class, failure -> assertThat(failure.retryable()).isFalse())
                .hasMessageContaining("host 'localhost' is not allowed");
        assertThat(idempotencyKeys).isEmpty();
        assertThatThrownBy(() -> tool.execute(new ToolCall("acme", "c", "run-1", 1, "k", Map.of("url", "file:///etc/passwd"))))
                .hasMessageContaining("only http and https");
    }

    private Map<String, Object> fetch(String path) {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + path;
        return tool.execute(new ToolCall("acme", "c", "run-1", 1, "run-1.s1.t0", Map.of("url", url)));
    }

    private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status, String type, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }
}
