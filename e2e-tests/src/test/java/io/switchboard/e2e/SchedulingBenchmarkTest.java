package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.switchboard.bench.stack.Platform;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.stream.StepPlanned;
import io.switchboard.events.stream.ToolResult;
import io.switchboard.events.testing.TopicTail;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Priority and fairness under a backlog ({@code ./switchboard bench tenancy}, tag {@code benchmark},
 * build profile {@code bench}). A flood of runs of 20 tasks, each task calling an endpoint that
 * answers in 100 ms, 1,000 at first and topped up until the last probe, builds a backlog wherever
 * the stack is slowest: requests waiting for the planner, outcomes waiting for the composer (Kafka
 * lag of their consumer groups) or tasks waiting for a worker (the work queues of both lanes).
 * Meanwhile single-task interactive runs are sent one at a time, and their end-to-end latency (the
 * run's {@code createdAt} to {@code completedAt}, both taken by the services) is compared with the
 * same probes on an idle stack, once a small flood of each kind has been worked off unmeasured. The
 * table says where the backlog was during the probes, and how many of another tenant's flood took
 * the interactive lane; a second table says at which hop the slowest probes of each scenario waited.
 * <ol>
 *   <li>priority: the backlog is tenant acme's own background runs; the probes are acme's interactive runs.</li>
 *   <li>fairness: the backlog is tenant globex's interactive runs; the probes are acme's.</li>
 * </ol>
 * Each probe's p99 must stay within twice its idle value. A flood's runs still going when its
 * scenario ends are cancelled, so that none is left in flight on the brokers.
 */
@Tag("benchmark")
class SchedulingBenchmarkTest {

    private static final int PROBES = 100;
    private static final int FLOOD_RUNS = 1_000;
    private static final int WARM_UP_RUNS = 100;
    /** The flood is topped up by this many runs whenever less than {@link #REFILL_BELOW} records and tasks of it wait. */
    private static final int REFILL_RUNS = 100;
    private static final Duration PROBE_LIMIT = Duration.ofMinutes(1);
    private static final int UNENDED_PROBES_TO_STOP = 3;
    private static final int REFILL_BELOW = 2_000;
    private static final int TASKS_PER_RUN = 20;
    /** The consumer groups in front of the planner and the composer, each lane's. */
    private static final List<String> PLANNER_GROUPS = List.of("planner-requested", "planner-requested-background",
            "planner-step-completed", "planner-step-completed-background");
    private static final List<String> COMPOSER_GROUPS = List.of("composer-tool-called", "composer-tool-called-background");
    private static final List<String> WORK_QUEUES = List.of(TaskQueues.WORK_QUEUE, TaskQueues.BACKGROUND_WORK_QUEUE);
    /** The planner's fair-share window (switchboard.planning.fair-share.window-seconds). */
    private static final Duration FAIR_SHARE_WINDOW = Duration.ofSeconds(10);
    /** Where the benchmark reads and moves the consumer groups' offsets. */
    private static final Admin KAFKA = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TopicTail.bootstrap()));

    private static Platform platform;
    private static Sink sink;
    private static Client acme;
    private static Client globex;
    private static final List<String> TABLE = new ArrayList<>();
    private static final List<String> HOPS = new ArrayList<>();
    /** The flood runs the gateway accepted, with the client that sent them, until {@link #endFloods} ends them. */
    private static final Map<String, Client> FLOODED = new ConcurrentHashMap<>();

    @BeforeAll
    static void startTheStack() throws Exception {
        sink = new Sink(100);
        skipWhatEarlierRunsLeft();
        forgetRunsInFlight();
        Path catalog = Path.of("target", "test-classes", "bench", "agents.yml").toAbsolutePath();
        platform = TestPlatform.create().startServices(TestPlatform.GATEWAY_PORT,
                List.of("--switchboard.agents.catalog=file:" + catalog), 1, 1);
        acme = new Client(TestPlatform.GATEWAY_PORT, "acme-dev-key");
        globex = new Client(TestPlatform.GATEWAY_PORT, "globex-dev-key");
    }

    @AfterAll
    static void stopTheStack() throws Exception {
        System.out.println();
        System.out.println("| scenario | backlog during probes: records before the planner / before the composer, tasks in the work queues (min-max) | flood runs on the interactive lane | probes | p50 ms | p99 ms | idle p50 ms | idle p99 ms | p99 / idle p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        TABLE.forEach(System.out::println);
        System.out.println();
        System.out.println("Where the probes waited (ms), from each probe's event stream: gateway -> planner (run.accepted -> "
                + "step.planned) + RabbitMQ -> worker -> Kafka -> composer (step.planned -> tool.succeeded, less the tool's own "
                + "time) + the tool + composer (tool.succeeded -> run.completed).");
        System.out.println();
        System.out.println("| scenario | p50 of each hop | the slowest probe | the second slowest |");
        System.out.println("|---|---|---|---|");
        HOPS.forEach(System.out::println);
        System.out.println();
        endFloods();
        purge();
        platform.close();
        sink.close();
        skipWhatEarlierRunsLeft(); // and what this one leaves: the next stack on these brokers starts idle
        forgetRunsInFlight();
        KAFKA.close();
    }

    @Test
    void interactiveRunsKeepTheirLatencyUnderABacklogOfBackgroundWorkAndOfAnotherTenantsFlood() throws Exception {
        warmUp();
        List<Probe> idle = probe(PROBES);

        Backlogged underBackground = probeUnderFlood(acme, "background");
        drain();
        List<Probe> idleAgain = probe(PROBES);

        Lanes before = lanes("globex");
        Backlogged underFlood = probeUnderFlood(globex, "interactive");
        Lanes flood = lanes("globex").since(before);

        row("priority: acme's interactive runs, acme's background backlog", underBackground, "none (background runs)", idle);
        row("fairness: acme's interactive runs, globex's interactive flood", underFlood, flood.onTheInteractiveLane(), idleAgain);
        assertThat(underBackground.everyProbeHadABacklog()).as("the flood was still waiting somewhere at every probe").isTrue();
        assertThat(underFlood.everyProbeHadABacklog()).as("the flood was still waiting somewhere at every probe").isTrue();
        hops("idle", idle);
        hops("priority", underBackground.probes());
        hops("idle again", idleAgain);
        hops("fairness", underFlood.probes());
        assertThat(latencyAt(underBackground.probes(), 99)).isLessThanOrEqualTo(2 * latencyAt(idle, 99));
        assertThat(latencyAt(underFlood.probes(), 99)).isLessThanOrEqualTo(2 * latencyAt(idleAgain, 99));
    }

    /**
     * One probe's end-to-end latency and its hops, each entry of its event stream stamped with the
     * millisecond its service wrote it (the entry id's first part); -1 for a probe that did not end.
     */
    private record Probe(long millis, long toPlanner, long toComposer, long tool, long toEnd) {

        static Probe unended() {
            return new Probe(PROBE_LIMIT.toMillis(), -1, -1, -1, -1);
        }

        String hops() {
            return toPlanner < 0 ? "not ended" : "%d: %d + %d + %d + %d".formatted(millis, toPlanner, toComposer, tool, toEnd);
        }
    }

    /** Where the flood waited when a probe was sent: Kafka records before the planner and the composer, tasks in the work queues. */
    private record Backlog(long planner, long composer, long workQueue) {

        long total() {
            return planner + composer + workQueue;
        }

        boolean any() {
            return total() > 0;
        }
    }

    private record Backlogged(List<Probe> probes, List<Backlog> backlogs, int unended) {

        boolean everyProbeHadABacklog() {
            return backlogs.stream().allMatch(Backlog::any);
        }

        String where() {
            return range(Backlog::planner) + " / " + range(Backlog::composer) + " records, " + range(Backlog::workQueue) + " tasks";
        }

        private String range(ToLongFunction<Backlog> stage) {
            LongSummaryStatistics values = backlogs.stream().mapToLong(stage).summaryStatistics();
            return "%,d-%,d".formatted(values.getMin(), values.getMax());
        }
    }

    /**
     * Floods the stack with the client's runs of the given priority and probes while the flood
     * waits somewhere: it starts with {@value #FLOOD_RUNS} runs and is topped up whenever less than
     * {@value #REFILL_BELOW} of it is waiting, until the last probe is done.
     */
    private static Backlogged probeUnderFlood(Client client, String priority) throws Exception {
        String body = floodRun(priority);
        submit(client, body, FLOOD_RUNS);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        ScheduledExecutorService flooder = Executors.newSingleThreadScheduledExecutor();
        flooder.scheduleWithFixedDelay(() -> {
            try {
                if (where().total() < REFILL_BELOW) {
                    submit(client, body, REFILL_RUNS);
                }
            } catch (Exception | AssertionError e) {
                failed.compareAndSet(null, e);
            }
        }, 0, 500, TimeUnit.MILLISECONDS);
        try {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).until(() -> where().any());
            return probeUnderBacklog();
        } finally {
            flooder.shutdown(); // a top-up under way is finished, none is started
            assertThat(flooder.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
            assertThat(failed.get()).as("the flood was accepted").isNull();
        }
    }

    private static String floodRun(String priority) {
        String urls = IntStream.range(0, TASKS_PER_RUN).mapToObj(i -> "\"" + sink.url("/flood/" + i) + "\"")
                .collect(Collectors.joining(", "));
        return "{\"agent\": \"bulk\", \"priority\": \"" + priority + "\", \"input\": {\"urls\": [" + urls + "]}}";
    }

    /**
     * Unmeasured: both floods, small, sent with probes among them and worked off to the end, so that
     * what the services first compile and load on their way (and the full collections that follow on
     * a stack just started, 130-450 ms each) is behind them before anything is measured.
     */
    private static void warmUp() throws Exception {
        submit(acme, floodRun("background"), WARM_UP_RUNS);
        submit(globex, floodRun("interactive"), WARM_UP_RUNS);
        probe(PROBES);
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> !where().any());
        drain();
    }

    /**
     * Ends the floods and waits until nothing waits anywhere (purging the work queues, so only Kafka's
     * backlog is worked off) and the floods are out of the fair-share window, so that the next probes
     * find the stack idle.
     */
    private static void drain() throws Exception {
        endFloods();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            purge();
            return !where().any();
        });
        await().pollDelay(FAIR_SHARE_WINDOW).atMost(FAIR_SHARE_WINDOW.multipliedBy(2)).until(() -> !where().any());
    }

    private static void submit(Client client, String body, int runs) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<String>> accepted = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                accepted.add(pool.submit(() -> client.submit(body, Duration.ofMinutes(1))));
            }
            for (Future<String> run : accepted) {
                assertThat(run.get()).isNotNull();
                FLOODED.put(run.get(), client);
            }
        }
    }

    /**
     * Cancels the flood runs that have not ended. Without it, a run whose tasks were purged from the
     * work queues would stay in flight until its deadline, and be failed then by whatever composer
     * runs on these brokers (the next test's, perhaps).
     */
    private static void endFloods() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<Boolean>> cancels = new ArrayList<>();
            FLOODED.forEach((runId, client) -> cancels.add(pool.submit(() -> client.cancel(runId))));
            for (Future<Boolean> cancel : cancels) {
                cancel.get();
            }
        }
        FLOODED.clear();
    }

    /**
     * The probes under a flood. A probe that has not ended within {@link #PROBE_LIMIT} counts as
     * that long, and after {@value #UNENDED_PROBES_TO_STOP} such probes the scenario stops: its p99
     * is past the limit, and waiting out the rest would take hours.
     */
    private static Backlogged probeUnderBacklog() throws Exception {
        List<Probe> probes = new ArrayList<>();
        List<Backlog> backlogs = new ArrayList<>();
        int unended = 0;
        for (int i = 0; i < PROBES && unended < UNENDED_PROBES_TO_STOP; i++) {
            backlogs.add(where());
            try {
                probes.add(probeOnce());
            } catch (ConditionTimeoutException notEnded) {
                probes.add(Probe.unended());
                unended++;
            }
        }
        return new Backlogged(probes, backlogs, unended);
    }

    private static List<Probe> probe(int count) throws Exception {
        List<Probe> probes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            probes.add(probeOnce());
        }
        return probes;
    }

    /** One interactive run of one task; its latency as the services recorded it, and its hops. */
    private static Probe probeOnce() throws Exception {
        String runId = acme.submit("{\"agent\": \"bulk\", \"input\": {\"urls\": [\"" + sink.url("/probe") + "\"]}}",
                Duration.ofSeconds(30));
        JsonNode run = await().atMost(PROBE_LIMIT).pollInterval(Duration.ofMillis(20))
                .until(() -> acme.run(runId), view -> view != null && Client.TERMINAL.contains(view.get("status").asString()));
        assertThat(run.get("status").asString()).isEqualTo("succeeded");
        long millis = Duration.between(Instant.parse(run.get("createdAt").asString()),
                Instant.parse(run.get("completedAt").asString())).toMillis();
        Map<String, Long> written = new HashMap<>();
        long tool = -1;
        String id = null;
        String event = null;
        for (String line : acme.events(runId).split("\n")) {
            if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("event:") && id != null) {
                event = line.substring(6).trim();
                written.putIfAbsent(event, Long.parseLong(id.substring(0, id.indexOf('-'))));
            } else if (line.startsWith("data:") && ToolResult.SUCCEEDED.equals(event)) {
                tool = EventCodec.mapper().readTree(line.substring(5)).get("durationMs").asLong();
            }
        }
        long planned = written.get(StepPlanned.NAME);
        long succeeded = written.get(ToolResult.SUCCEEDED);
        return new Probe(millis, planned - written.get(RunAccepted.NAME), succeeded - planned - tool, tool,
                written.get(RunEnded.COMPLETED) - succeeded);
    }

    /** A row of the hops table: each hop's p50 over the scenario's probes that ended, and the two slowest probes. */
    private static void hops(String scenario, List<Probe> probes) {
        List<Probe> ended = probes.stream().filter(probe -> probe.toPlanner() >= 0).toList();
        List<Probe> slowest = probes.stream().sorted(Comparator.comparingLong(Probe::millis).reversed()).limit(2).toList();
        String p50 = ended.isEmpty() ? "none ended" : "%d + %d + %d + %d".formatted(
                percentile(ended.stream().map(Probe::toPlanner).toList(), 50),
                percentile(ended.stream().map(Probe::toComposer).toList(), 50),
                percentile(ended.stream().map(Probe::tool).toList(), 50),
                percentile(ended.stream().map(Probe::toEnd).toList(), 50));
        HOPS.add("| %s | %s | %s | %s |".formatted(scenario, p50, slowest.get(0).hops(), slowest.get(1).hops()));
    }

    private static void row(String scenario, Backlogged loaded, String floodOnTheInteractiveLane, List<Probe> idle) {
        String probes = loaded.unended() == 0 ? String.valueOf(loaded.probes().size())
                : "%d, of which %d had not ended after %d s (counted as %d s); probing stopped".formatted(loaded.probes().size(),
                        loaded.unended(), PROBE_LIMIT.toSeconds(), PROBE_LIMIT.toSeconds());
        TABLE.add("| %s | %s | %s | %s | %d | %d | %d | %d | %.2f |".formatted(scenario, loaded.where(), floodOnTheInteractiveLane,
                probes, latencyAt(loaded.probes(), 50),
                latencyAt(loaded.probes(), 99), latencyAt(idle, 50), latencyAt(idle, 99),
                (double) latencyAt(loaded.probes(), 99) / latencyAt(idle, 99)));
    }

    /**
     * The tenant's runs the gateway accepted ({@code switchboard.runs.accepted}), those of them it
     * judged over the tenant's share of the interactive lane ({@code switchboard.runs.over.share}),
     * and their steps the planner moved to the background lane ({@code switchboard.steps.over.share}).
     */
    private record Lanes(long accepted, long overShare, long moved) {

        Lanes since(Lanes before) {
            return new Lanes(accepted - before.accepted, overShare - before.overShare, moved - before.moved);
        }

        String onTheInteractiveLane() {
            return "%,d of %,d; the planner moved %,d of their steps".formatted(accepted - overShare, accepted, moved);
        }
    }

    private static Lanes lanes(String tenant) throws Exception {
        String gateway = metrics(TestPlatform.GATEWAY_PORT);
        return new Lanes(sum(gateway, "switchboard_runs_accepted_total{", tenant),
                sum(gateway, "switchboard_runs_over_share_total{", tenant),
                sum(metrics(TestPlatform.GATEWAY_PORT + Platform.SERVICES.indexOf("planner-service")),
                        "switchboard_steps_over_share_total{", tenant));
    }

    private static String metrics(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + Platform.managementPort(port) + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static long sum(String metrics, String series, String tenant) {
        return (long) metrics.lines().filter(line -> line.startsWith(series) && line.contains("tenant=\"" + tenant + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    /**
     * Forgets the tenants' interactive runs in flight: a stack stopped with a flood unfinished leaves
     * them until their deadlines, and the gateway of the next would judge the tenants by them.
     */
    private static void forgetRunsInFlight() {
        LettuceConnectionFactory factory = new LettuceConnectionFactory("127.0.0.1", 6379);
        factory.afterPropertiesSet();
        factory.start();
        try {
            new StringRedisTemplate(factory).delete(List.of(RedisKeys.interactiveRunsInFlight("acme"),
                    RedisKeys.interactiveRunsInFlight("globex")));
        } finally {
            factory.destroy();
        }
    }

    private static long latencyAt(List<Probe> probes, int percentile) {
        return percentile(probes.stream().map(Probe::millis).toList(), percentile);
    }

    /** Nearest-rank percentile. */
    static long percentile(List<Long> values, int percentile) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static Backlog where() throws Exception {
        return new Backlog(lag(PLANNER_GROUPS), lag(COMPOSER_GROUPS), backlog());
    }

    /**
     * Moves the planner's and the composer's consumer groups to the end of their topics while no
     * service runs, so a stack starts idle: what an earlier run left waiting is not worked off.
     */
    private static void skipWhatEarlierRunsLeft() throws Exception {
        for (String group : Stream.concat(PLANNER_GROUPS.stream(), COMPOSER_GROUPS.stream()).toList()) {
            Map<TopicPartition, Long> ends = ends(committed(group).keySet());
            if (!ends.isEmpty()) {
                Map<TopicPartition, OffsetAndMetadata> atEnd = new HashMap<>();
                ends.forEach((partition, end) -> atEnd.put(partition, new OffsetAndMetadata(end)));
                KAFKA.alterConsumerGroupOffsets(group, atEnd).all().get();
            }
        }
    }

    /** The records the groups have yet to consume, over all their partitions. */
    private static long lag(List<String> groups) throws Exception {
        long lag = 0;
        for (String group : groups) {
            Map<TopicPartition, OffsetAndMetadata> committed = committed(group);
            Map<TopicPartition, Long> ends = ends(committed.keySet());
            for (Map.Entry<TopicPartition, OffsetAndMetadata> partition : committed.entrySet()) {
                if (partition.getValue() != null) {
                    lag += Math.max(0, ends.get(partition.getKey()) - partition.getValue().offset());
                }
            }
        }
        return lag;
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        return KAFKA.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    }

    private static Map<TopicPartition, Long> ends(Set<TopicPartition> partitions) throws Exception {
        Map<TopicPartition, Long> ends = new HashMap<>();
        KAFKA.listOffsets(partitions.stream().collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.latest())))
                .all().get().forEach((partition, end) -> ends.put(partition, end.offset()));
        return ends;
    }

    /** Tasks in both lanes' work queues. */
    private static long backlog() throws Exception {
        long waiting = 0;
        for (String queue : WORK_QUEUES) {
            JsonNode messages = acme.rabbitManagement("/api/queues/%2F/" + queue).get("messages");
            waiting += messages == null ? 0 : messages.asLong();
        }
        return waiting;
    }

    /** Empties the work queues, so the next scenario starts from no backlog. */
    private static void purge() throws Exception {
        String auth = Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8));
        for (String queue : WORK_QUEUES) {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:15672/api/queues/%2F/" + queue + "/contents"))
                    .header("Authorization", "Basic " + auth).DELETE().build(), HttpResponse.BodyHandlers.discarding());
        }
    }
}
