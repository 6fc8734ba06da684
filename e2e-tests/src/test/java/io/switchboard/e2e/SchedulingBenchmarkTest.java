package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.bench.stack.Platform;
import io.switchboard.events.TaskQueues;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Priority and fairness under a backlog ({@code ./switchboard bench tenancy}, tag {@code benchmark},
 * build profile {@code bench}). A backlog of more than
 * 10,000 tasks is built in the work queue: 1,000 runs of 20 tasks, each task calling an endpoint
 * that answers in 100 ms. Once every run is planned, single-task interactive runs are sent one at a time, and
 * their end-to-end latency (the run's {@code createdAt} to {@code completedAt}, both taken by the
 * services) is compared with the same probes on an idle stack.
 * <ol>
 *   <li>priority: the backlog is tenant acme's own background runs; the probes are acme's interactive runs.</li>
 *   <li>fairness: the backlog is tenant globex's interactive runs; the probes are acme's.</li>
 * </ol>
 * Each probe's p99 must stay within twice its idle value.
 */
@Tag("benchmark")
class SchedulingBenchmarkTest {

    private static final int PROBES = 100;
    private static final int FLOOD_RUNS = 1_000;
    private static final int TASKS_PER_RUN = 20;
    private static final int MIN_BACKLOG = 10_000;
    /** The planner's fair-share window (switchboard.planning.fair-share.window-seconds). */
    private static final Duration FAIR_SHARE_WINDOW = Duration.ofSeconds(10);

    private static Platform platform;
    private static Sink sink;
    private static Client acme;
    private static Client globex;
    private static final List<String> TABLE = new ArrayList<>();

    @BeforeAll
    static void startTheStack() throws IOException {
        sink = new Sink(100);
        Path catalog = Path.of("target", "test-classes", "bench", "agents.yml").toAbsolutePath();
        platform = TestPlatform.create().startServices(TestPlatform.GATEWAY_PORT,
                List.of("--switchboard.agents.catalog=file:" + catalog), 1, 1);
        acme = new Client(TestPlatform.GATEWAY_PORT, "acme-dev-key");
        globex = new Client(TestPlatform.GATEWAY_PORT, "globex-dev-key");
    }

    @AfterAll
    static void stopTheStack() throws Exception {
        System.out.println();
        System.out.println("| scenario | backlog during probes | probes | p50 ms | p99 ms | idle p50 ms | idle p99 ms | p99 / idle p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        TABLE.forEach(System.out::println);
        System.out.println();
        purge();
        platform.close();
        sink.close();
    }

    @Test
    void interactiveRunsKeepTheirLatencyUnderABacklogOfBackgroundWorkAndOfAnotherTenantsFlood() throws Exception {
        probe(10);
        List<Long> idle = probe(PROBES);

        flood(acme, "background");
        Backlogged underBackground = probeUnderBacklog();
        purge();
        // the tasks in flight done and acme's flood out of the fair-share window, so the idle probes are idle again
        await().pollDelay(FAIR_SHARE_WINDOW).atMost(FAIR_SHARE_WINDOW.multipliedBy(6)).pollInterval(Duration.ofSeconds(1))
                .until(() -> backlog() == 0);
        List<Long> idleAgain = probe(PROBES);

        flood(globex, "interactive");
        Backlogged underFlood = probeUnderBacklog();

        row("priority: acme's interactive runs, acme's background backlog", underBackground, idle);
        row("fairness: acme's interactive runs, globex's interactive flood", underFlood, idleAgain);
        assertThat(underBackground.minBacklog()).isGreaterThanOrEqualTo(MIN_BACKLOG);
        assertThat(underFlood.minBacklog()).isGreaterThanOrEqualTo(MIN_BACKLOG);
        assertThat(percentile(underBackground.latencies(), 99)).isLessThanOrEqualTo(2 * percentile(idle, 99));
        assertThat(percentile(underFlood.latencies(), 99)).isLessThanOrEqualTo(2 * percentile(idleAgain, 99));
    }

    private record Backlogged(List<Long> latencies, long minBacklog, long maxBacklog) {
    }

    /** Sends the flood and waits until it is all planned: the backlog, refreshed every 5 s, starts to shrink. */
    private static void flood(Client client, String priority) throws Exception {
        String urls = IntStream.range(0, TASKS_PER_RUN).mapToObj(i -> "\"" + sink.url("/flood/" + i) + "\"")
                .collect(Collectors.joining(", "));
        String body = "{\"agent\": \"bulk\", \"priority\": \"" + priority + "\", \"input\": {\"urls\": [" + urls + "]}}";
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<String>> runs = new ArrayList<>();
            for (int i = 0; i < FLOOD_RUNS; i++) {
                runs.add(pool.submit(() -> client.submit(body, Duration.ofMinutes(1))));
            }
            for (Future<String> run : runs) {
                assertThat(run.get()).isNotNull();
            }
        }
        long[] last = {0};
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(5)).until(() -> {
            long backlog = backlog();
            boolean planned = backlog < last[0];
            last[0] = backlog;
            return planned;
        });
    }

    private static Backlogged probeUnderBacklog() throws Exception {
        List<Long> latencies = new ArrayList<>();
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < PROBES; i++) {
            long backlog = backlog();
            min = Math.min(min, backlog);
            max = Math.max(max, backlog);
            latencies.add(probeOnce());
        }
        return new Backlogged(latencies, min, max);
    }

    private static List<Long> probe(int count) throws Exception {
        List<Long> latencies = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            latencies.add(probeOnce());
        }
        return latencies;
    }

    /** One interactive run of one task; its latency as the services recorded it, in milliseconds. */
    private static long probeOnce() throws Exception {
        String runId = acme.submit("{\"agent\": \"bulk\", \"input\": {\"urls\": [\"" + sink.url("/probe") + "\"]}}",
                Duration.ofSeconds(30));
        JsonNode run = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> acme.run(runId), view -> view != null && Client.TERMINAL.contains(view.get("status").asString()));
        assertThat(run.get("status").asString()).isEqualTo("succeeded");
        return Duration.between(Instant.parse(run.get("createdAt").asString()),
                Instant.parse(run.get("completedAt").asString())).toMillis();
    }

    private static void row(String scenario, Backlogged loaded, List<Long> idle) {
        TABLE.add("| %s | %,d-%,d tasks | %d | %d | %d | %d | %d | %.2f |".formatted(scenario, loaded.minBacklog(),
                loaded.maxBacklog(), loaded.latencies().size(), percentile(loaded.latencies(), 50),
                percentile(loaded.latencies(), 99), percentile(idle, 50), percentile(idle, 99),
                (double) percentile(loaded.latencies(), 99) / percentile(idle, 99)));
    }

    /** Nearest-rank percentile. */
    static long percentile(List<Long> values, int percentile) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static long backlog() throws Exception {
        JsonNode messages = acme.rabbitManagement("/api/queues/%2F/" + TaskQueues.WORK_QUEUE).get("messages");
        return messages == null ? 0 : messages.asLong();
    }

    /** Empties the work queue, so the next scenario starts from no backlog. */
    private static void purge() throws Exception {
        String auth = Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:15672/api/queues/%2F/" + TaskQueues.WORK_QUEUE + "/contents"))
                .header("Authorization", "Basic " + auth).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }
}
