package io.switchboard.e2e;

import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import tools.jackson.databind.JsonNode;

/**
 * A client of the gateway as a careful user writes one: every run is submitted with an
 * Idempotency-Key and retried with the same key on 503 or a lost connection, so a retry can never
 * start a run twice.
 */
final class Client {

    static final Set<String> TERMINAL = Set.of("succeeded", "failed", "cancelled");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String apiKey;
    final AtomicLong unavailable = new AtomicLong();

    Client(int port, String apiKey) {
        this.base = "http://127.0.0.1:" + port;
        this.apiKey = apiKey;
    }

    /** The run id once the gateway accepted the run (202), or null if it did not within {@code patience}. */
    String submit(String body, Duration patience) throws InterruptedException {
        String key = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + patience.toNanos();
        do {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs"))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + apiKey)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", key)
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 202) {
                    return EventCodec.mapper().readTree(response.body()).get("runId").asString();
                }
                if (response.statusCode() != 503 && response.statusCode() != 409) {
                    throw new IllegalStateException("run refused with " + response.statusCode() + ": " + response.body());
                }
                unavailable.incrementAndGet();
            } catch (IOException lost) {
                unavailable.incrementAndGet();
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return null;
    }

    /** The run as GET /v1/runs/{id} shows it, or null for 404; retried while the gateway answers 503. */
    JsonNode run(String runId) throws InterruptedException {
        for (int attempt = 0; attempt < 120; attempt++) {
            try {
                HttpResponse<String> response = get("/v1/runs/" + runId, "Bearer " + apiKey);
                if (response.statusCode() == 404) {
                    return null;
                }
                if (response.statusCode() == 200) {
                    return EventCodec.mapper().readTree(response.body());
                }
            } catch (IOException retried) {
                // the gateway restarting or overloaded: asked again below
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("no answer about run " + runId + " for a minute");
    }

    /** Polls the runs until each has ended or {@code timeout} passes; the last view of each (null: not found). */
    Map<String, JsonNode> awaitTerminal(Collection<String> runIds, Duration timeout) throws InterruptedException {
        Map<String, JsonNode> last = new ConcurrentHashMap<>();
        Set<String> pending = ConcurrentHashMap.newKeySet();
        pending.addAll(runIds);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            for (String runId : new HashSet<>(pending)) {
                JsonNode run = run(runId);
                if (run == null) {
                    last.remove(runId);
                } else {
                    last.put(runId, run);
                    if (TERMINAL.contains(run.get("status").asString())) {
                        pending.remove(runId);
                    }
                }
            }
            if (!pending.isEmpty()) {
                LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
            }
        }
        return last;
    }

    JsonNode admin(String path, String adminKey) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path, "Bearer " + adminKey);
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return EventCodec.mapper().readTree(response.body());
    }

    /** A JSON document from RabbitMQ's management API (guest, loopback only). */
    JsonNode rabbitManagement(String path) throws IOException, InterruptedException {
        String auth = Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:15672" + path))
                .header("Authorization", "Basic " + auth).build(), HttpResponse.BodyHandlers.ofString());
        return EventCodec.mapper().readTree(response.body());
    }

    private HttpResponse<String> get(String path, String authorization) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
    }
}
