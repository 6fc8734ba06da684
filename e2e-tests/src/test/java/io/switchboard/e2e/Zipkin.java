package io.switchboard.e2e;

import static org.awaitility.Awaitility.await;

import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A real Zipkin server for the tests, from its executable jar (copied into {@code target/zipkin} by
 * the build), on loopback, keeping its spans in memory; and its query API.
 */
final class Zipkin implements AutoCloseable {

    static final int PORT = 19411;

    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private Zipkin(Process process) {
        this.process = process;
    }

    static Zipkin start() {
        Path jar = Path.of("target", "zipkin", "zipkin.jar");
        try {
            Path log = Files.createDirectories(Path.of("target", "e2e", "logs")).resolve("zipkin.log");
            Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-jar", jar.toString(), "--armeria.ports[0].port=" + PORT, "--armeria.ports[0].ip=127.0.0.1",
                    "--armeria.ports[0].protocols=http")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Zipkin zipkin = new Zipkin(process);
            await("Zipkin up on " + PORT).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions().until(() -> zipkin.get("/health").statusCode() == 200);
            return zipkin;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Zipkin from " + jar + " (built by the e2e-tests module)", e);
        }
    }

    /** Where the services send their spans. */
    static String endpoint() {
        return "http://127.0.0.1:" + PORT + "/api/v2/spans";
    }

    /** The traces with a span tagged {@code runId=<runId>} (the run's baggage), each a list of spans. */
    List<JsonNode> tracesOfRun(String runId) throws IOException, InterruptedException {
        HttpResponse<String> answer = get("/api/v2/traces?annotationQuery=" + URLEncoder.encode("runId=" + runId, StandardCharsets.UTF_8)
                + "&lookback=3600000&limit=10");
        List<JsonNode> traces = new ArrayList<>();
        EventCodec.mapper().readTree(answer.body()).forEach(traces::add);
        return traces;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        process.destroy();
    }
}
