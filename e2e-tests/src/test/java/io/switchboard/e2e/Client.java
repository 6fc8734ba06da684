package io.switchboard.e2e;

import static org.awaitility.Awaitility.await;

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
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;
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
    String submit(String body, Duration patience) {
        String key = UUID.randomUUID().toString();
        try {
            return await().atMost(patience).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                    .until(() -> attempt(body, key), Optional::isPresent).orElseThrow();
        } catch (ConditionTimeoutException notAccepted) {
            return null;
        }
    }

    /** One request of a submission: the run id on 202, empty on 503, 409 or a lost connection. */
    private Optional<String> attempt(String body, String key) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + apiKey)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 202) {
                return Optional.of(EventCodec.mapper().readTree(response.body()).get("runId").asString());
            }
            if (response.statusCode() != 503 && response.statusCode() != 409) {
                throw new IllegalStateException("run refused with " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException lost) {
            // the gateway restarting or overloaded: asked again with the same key
        }
        unavailable.incrementAndGet();
        return Optional.empty();
    }

    /** The run as GET /v1/runs/{id} shows it, or null for 404; asked again for a minute while the gateway answers otherwise. */
    JsonNode run(String runId) {
        HttpResponse<String> response = await("an answer about run " + runId).atMost(Duration.ofMinutes(1))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).ignoreException(IOException.class)
                .until(() -> get("/v1/runs/" + runId, "Bearer " + apiKey),
                        answer -> answer.statusCode() == 200 || answer.statusCode() == 404);
        return response.statusCode() == 404 ? null : EventCodec.mapper().readTree(response.body());
    }

    /**
     * Cancels the run: true if this ended it, false if it had ended before (409); asked again for a
     * minute while the gateway answers 503 or not at all.
     */
    boolean cancel(String runId) {
        HttpResponse<String> response = await("the cancel of run " + runId).atMost(Duration.ofMinutes(1))
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500)).ignoreException(IOException.class)
                .until(() -> http.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs/" + runId + "/cancel"))
                                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + apiKey)
                                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()),
                        answer -> answer.statusCode() != 503);
        if (response.statusCode() != 200 && response.statusCode() != 409) {
            throw new IllegalStateException("the cancel of run " + runId + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.statusCode() == 200;
    }

    /** Polls the runs until each has ended or {@code timeout} passes; the last view of each (absent: not found). */
    Map<String, JsonNode> awaitTerminal(Collection<String> runIds, Duration timeout) {
        Map<String, JsonNode> last = new ConcurrentHashMap<>();
        Set<String> pending = ConcurrentHashMap.newKeySet();
        pending.addAll(runIds);
        try {
            await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofSeconds(1)).until(() -> {
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
                return pending.isEmpty();
            });
        } catch (ConditionTimeoutException notAllEnded) {
            // the caller counts what did not end
        }
        return last;
    }

    /** The event stream of a run that has ended, as {@code GET /v1/runs/{id}/events} replays it. */
    String events(String runId) throws IOException, InterruptedException {
        HttpResponse<String> response = get("/v1/runs/" + runId + "/events", "Bearer " + apiKey);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the events of run " + runId + " answered " + response.statusCode());
        }
        return response.body();
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
