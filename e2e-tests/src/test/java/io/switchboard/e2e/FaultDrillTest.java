package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.switchboard.bench.stack.Platform.Broker;
import io.switchboard.bench.stack.Platform;
import io.switchboard.events.AgentRequested;
import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.Envelope;
import io.switchboard.events.StepCompleted;
import io.switchboard.events.Priority;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.worker.session.PausableLeaseHolder;
import io.switchboard.worker.session.SessionStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The fault drills ({@code ./switchboard faults}, tag {@code drill}, build profile {@code faults}):
 * the whole stack on the native brokers, driven through REST while faults are injected — workers
 * killed with SIGKILL, brokers stopped and started with their own commands, poison injected into
 * topics and queues, a lock holder paused past its lease, a tool answering 503, Redis flushed. Each drill asserts
 * that nothing was lost and nothing done twice, and adds its figures to the table printed at the
 * end. Everything listens on loopback only.
 */
@Tag("drill")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultDrillTest {

    private static final String ACME = "acme-dev-key";
    private static final String ADMIN = "admin-dev-key";
    private static final Duration SETTLE = Duration.ofMinutes(5);
    private static final Duration OUTAGE = Duration.ofSeconds(8);
    private static final long SEED_BYTES = 1L << 30;

    private static final Map<String, String> TABLE = new TreeMap<>();
    private static Platform platform;
    private static Sink sink;
    private static Client client;

    @BeforeAll
    static void startTheStack() throws IOException {
        sink = new Sink();
        Path catalog = Path.of("target", "test-classes", "faults", "agents.yml").toAbsolutePath();
        platform = TestPlatform.create().startServices(TestPlatform.GATEWAY_PORT,
                List.of("--switchboard.agents.catalog=file:" + catalog), 2, 1);
        client = new Client(TestPlatform.GATEWAY_PORT, ACME);
    }

    @AfterAll
    static void stopTheStackAndPrintTheTable() {
        System.out.println();
        System.out.println("| # | fault | figures |");
        System.out.println("|---|---|---|");
        TABLE.forEach((fault, figures) -> System.out.println("| " + fault + " | " + figures + " |"));
        System.out.println();
        if (platform != null) {
            platform.close();
        }
        sink.close();
    }

    /** 2,000 runs of three deliveries each while a worker is killed with SIGKILL every few seconds. */
    @Test
    @Order(1)
    void killedWorkersLoseNoRunAndRepeatNoEffect() throws Exception {
        sink.reset();
        long redeliveredBefore = redeliveries();
        AtomicInteger kills = new AtomicInteger();
        ScheduledThreadPoolExecutor killer = new ScheduledThreadPoolExecutor(1);
        killer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        List<String> workers = List.of("worker-service-2", "worker-service");
        Runnable killOne = new Runnable() {
            @Override
            public void run() {
                String victim = workers.get(kills.get() % workers.size());
                platform.kill(victim);
                kills.incrementAndGet();
                platform.restart(victim);
                if (!killer.isShutdown()) {
                    killer.schedule(this, ThreadLocalRandom.current().nextLong(2_000, 4_000), TimeUnit.MILLISECONDS);
                }
            }
        };
        killer.schedule(killOne, ThreadLocalRandom.current().nextLong(2_000, 4_000), TimeUnit.MILLISECONDS);
        long started = System.nanoTime();
        List<String> accepted = submitAll(2_000, 24, i -> deliver("/sink/" + i));
        Map<String, JsonNode> runs = client.awaitTerminal(accepted, SETTLE);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        killer.shutdown();
        assertThat(killer.awaitTermination(5, TimeUnit.MINUTES)).as("the last kill and restart finished").isTrue();

        Map<String, Long> deliveries = sink.deliveriesByKey();
        Set<String> expectedKeys = accepted.stream()
                .flatMap(runId -> Stream.of(runId + ".s1.t0", runId + ".s1.t1", runId + ".s1.t2"))
                .collect(Collectors.toSet());
        long repeatedDeliveries = deliveries.values().stream().mapToLong(count -> count - 1).sum();
        long succeeded = count(runs, "succeeded");
        long redelivered = redeliveries() - redeliveredBefore;
        TABLE.put("1 worker SIGKILL", "%d runs accepted, %d ended (%d succeeded, %d failed), %d lost, in %d s; %d kills; "
                .formatted(accepted.size(), terminal(runs), succeeded, count(runs, "failed"), accepted.size() - terminal(runs),
                        seconds, kills.get())
                + "%d effects for %d tasks, 0 applied twice (%d repeated deliveries de-duplicated by Idempotency-Key); %d RabbitMQ redeliveries"
                .formatted(deliveries.size(), expectedKeys.size(), repeatedDeliveries, redelivered));

        assertThat(accepted).hasSize(2_000);
        assertThat(terminal(runs)).as("runs that ended").isEqualTo(accepted.size());
        assertThat(expectedKeys).containsAll(deliveries.keySet());
        assertThat(deliveries.keySet()).containsAll(succeededKeys(runs));
        assertThat(kills.get()).isPositive();
        assertThat(redelivered + repeatedDeliveries).as("redeliveries observed").isPositive();
    }

    /** RabbitMQ, then Kafka, then Redis stopped and started again while runs keep coming. */
    @Test
    @Order(2)
    void brokersRestartedUnderLoadLeaveEveryAcceptedRunEnded() throws Exception {
        sink.reset();
        // A Redis with realistic data: restarted, it answers LOADING for a while, which must be a 503, never a 500.
        long seeded = seedRedis(SEED_BYTES);
        ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService load = steadyLoad(accepted, refusals);
        long unavailableBefore = client.unavailable.get();
        List<String> outages = new ArrayList<>();
        for (Broker broker : List.of(Broker.RABBITMQ, Broker.KAFKA, Broker.REDIS)) {
            awaitMoreRunsAccepted(accepted, 20);
            long down = System.nanoTime();
            platform.stopBroker(broker);
            await().during(OUTAGE).atMost(OUTAGE.plusSeconds(5)).until(() -> !broker.listening());
            platform.startBroker(broker);
            outages.add(broker.name().toLowerCase() + " " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - down) + " s");
        }
        awaitMoreRunsAccepted(accepted, 20);
        load.shutdown();
        assertThat(load.awaitTermination(2, TimeUnit.MINUTES)).isTrue();

        Map<String, JsonNode> runs = client.awaitTerminal(accepted, SETTLE);
        long missing = accepted.stream().filter(runId -> !runs.containsKey(runId)).count();
        List<String> failedWithoutReason = runs.values().stream()
                .filter(run -> run.get("status").asString().equals("failed"))
                .filter(run -> run.get("error").isNull() || run.get("error").asString().isBlank())
                .map(run -> run.get("runId").asString()).toList();
        Map<String, Long> failureReasons = runs.values().stream()
                .filter(run -> run.get("status").asString().equals("failed"))
                .collect(Collectors.groupingBy(run -> run.get("error").asString().replaceAll("[0-9a-f-]{36}", "<id>"),
                        Collectors.counting()));
        TABLE.put("2 broker restarts", "Redis holding %d MB; outages %s; %d runs accepted (202), %d ended: %d succeeded, %d failed with a reason, "
                .formatted(seeded >> 20, outages, accepted.size(), terminal(runs), count(runs, "succeeded"), count(runs, "failed"))
                + "%d missing, %d not ended; %d requests answered 503 or cut during outages and retried with their key%s"
                .formatted(missing, accepted.size() - terminal(runs) - missing, client.unavailable.get() - unavailableBefore,
                        failureReasons.isEmpty() ? "" : "; failure reasons " + failureReasons));

        assertThat(accepted).isNotEmpty();
        assertThat(refusals).as("answers other than 202 and 503").isEmpty();
        assertThat(missing).as("accepted runs missing").isZero();
        assertThat(terminal(runs)).as("accepted runs that ended").isEqualTo(accepted.size());
        assertThat(failedWithoutReason).isEmpty();
    }

    /**
     * Redis loses everything (FLUSHALL) while runs are in flight: the runs accepted before are
     * recovered from the run store (their {@code run.accepted} and deadline watch) and end,
     * succeeded or failed with a reason; none hangs.
     */
    @Test
    @Order(6)
    void runsInFlightWhenRedisLosesEverythingAreRecoveredFromTheStoreAndEnd() throws Exception {
        sink.reset();
        ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService load = steadyLoad(accepted, refusals);
        awaitMoreRunsAccepted(accepted, 100);
        List<String> beforeFlush = List.copyOf(accepted);
        long flushed = System.nanoTime();
        run("redis-cli", "-p", "6379", "flushall");
        awaitMoreRunsAccepted(accepted, 50);
        load.shutdown();
        assertThat(load.awaitTermination(2, TimeUnit.MINUTES)).isTrue();

        Map<String, JsonNode> runs = client.awaitTerminal(accepted, SETTLE);
        long allEnded = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - flushed);
        long missing = accepted.stream().filter(runId -> !runs.containsKey(runId)).count();
        List<String> failedWithoutReason = runs.values().stream()
                .filter(run -> run.get("status").asString().equals("failed"))
                .filter(run -> run.get("error").isNull() || run.get("error").asString().isBlank())
                .map(run -> run.get("runId").asString()).toList();
        Map<String, Long> failureReasons = runs.values().stream()
                .filter(run -> run.get("status").asString().equals("failed"))
                .collect(Collectors.groupingBy(run -> run.get("error").asString().replaceAll("[0-9a-f-]{36}", "<id>")
                        .replaceAll("deadline \\S+", "deadline <time>"), Collectors.counting()));
        long recovered = beforeFlush.stream().map(runs::get).filter(run -> run != null && run.get("status").asString().equals("failed")).count();
        TABLE.put("6 Redis flushed", ("%d runs accepted (202), %d of them before the flush; %d ended: %d succeeded, %d failed with a reason "
                + "(%d of those accepted before the flush); %d missing, %d not ended; every run ended %d s after the flush%s")
                .formatted(accepted.size(), beforeFlush.size(), terminal(runs), count(runs, "succeeded"), count(runs, "failed"),
                        recovered, missing, accepted.size() - terminal(runs) - missing, allEnded,
                        failureReasons.isEmpty() ? "" : "; failure reasons " + failureReasons));

        assertThat(refusals).as("answers other than 202 and 503").isEmpty();
        assertThat(missing).as("accepted runs missing").isZero();
        assertThat(terminal(runs)).as("accepted runs that ended").isEqualTo(accepted.size());
        assertThat(failedWithoutReason).isEmpty();
    }

    /** 8 clients, each submitting a {@code deliver} run 100 ms after its last one was answered, until shut down. */
    private static ScheduledExecutorService steadyLoad(Collection<String> accepted, Collection<String> refusals) {
        ScheduledExecutorService load = Executors.newScheduledThreadPool(8);
        for (int c = 0; c < 8; c++) {
            load.scheduleWithFixedDelay(() -> {
                try {
                    String runId = client.submit(deliver("/sink/" + UUID.randomUUID()), Duration.ofSeconds(20));
                    if (runId != null) {
                        accepted.add(runId);
                    }
                } catch (IllegalStateException refused) {
                    refusals.add(refused.getMessage());
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
        }
        return load;
    }

    /** Fills Redis with about {@code bytes} of run-sized values (3 KB each) under {@code sb:seed:}; returns Redis's memory then. */
    private static long seedRedis(long bytes) {
        LettuceConnectionFactory factory = new LettuceConnectionFactory("127.0.0.1", 6379);
        factory.afterPropertiesSet();
        try {
            StringRedisTemplate redis = new StringRedisTemplate(factory);
            byte[] value = ("{\"event\":\"tool.succeeded\",\"data\":\"" + "x".repeat(3_000) + "\"}").getBytes(StandardCharsets.UTF_8);
            long keys = bytes / value.length;
            for (long start = 0; start < keys; start += 2_000) {
                long from = start;
                redis.executePipelined((RedisCallback<Object>) connection -> {
                    for (long n = from; n < Math.min(keys, from + 2_000); n++) {
                        connection.stringCommands().set(("sb:seed:run:" + n + ":events").getBytes(StandardCharsets.UTF_8), value);
                    }
                    return null;
                });
            }
            return Long.parseLong(String.valueOf(redis.execute((RedisCallback<Object>) connection ->
                    connection.serverCommands().info("memory").getProperty("used_memory"))));
        } finally {
            factory.destroy();
        }
    }

    /** 1,000 malformed events and tasks straight into the topics and the work queue. */
    @Test
    @Order(3)
    void poisonIsDeadLetteredWithAReasonAndCrashesNothing() throws Exception {
        Map<String, Long> pids = new HashMap<>();
        platform.names().forEach(name -> pids.put(name, platform.pid(name)));
        String batch = "poison-" + UUID.randomUUID();
        int kafkaPoison = injectKafkaPoison(batch, 600);
        int rabbitPoison = injectTaskPoison(batch, 400);

        Map<String, Long> listed = new HashMap<>();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            listed.clear();
            for (JsonNode item : client.admin("/v1/admin/dead-letters?limit=1000&source=kafka", ADMIN).get("items")) {
                countIfOurs(item, batch, listed);
            }
            for (JsonNode item : client.admin("/v1/admin/dead-letters?limit=1000&source=rabbitmq", ADMIN).get("items")) {
                countIfOurs(item, batch, listed);
            }
            return listed.getOrDefault("kafka", 0L) == kafkaPoison && listed.getOrDefault("rabbitmq", 0L) == rabbitPoison;
        });
        String afterwards = client.submit("{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"6*7\"]}}", Duration.ofSeconds(30));
        JsonNode run = client.awaitTerminal(List.of(afterwards), Duration.ofMinutes(1)).get(afterwards);
        long restarted = platform.names().stream().filter(name -> !platform.alive(name) || platform.pid(name) != pids.get(name)).count();
        TABLE.put("3 poison", "%d malformed records into 3 topics, %d malformed tasks into the work queue; %d + %d dead-lettered with a reason; "
                .formatted(kafkaPoison, rabbitPoison, listed.get("kafka"), listed.get("rabbitmq"))
                + "%d consumer crashes; next run %s".formatted(restarted, run.get("status").asString()));

        assertThat(restarted).isZero();
        assertThat(run.get("status").asString()).isEqualTo("succeeded");
    }

    /** A lock holder paused (SIGSTOP) past its lease, another writer takes over, the first resumes. */
    @Test
    @Order(4)
    void aLockHolderPausedPastItsLeaseCannotWrite() throws Exception {
        String conversation = "conv-" + UUID.randomUUID();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PausableLeaseHolder.class.getName(), "acme", conversation, "PT2S")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = holder.inputReader();
            String leased = await().atMost(Duration.ofSeconds(30)).until(out::readLine, line -> line == null || line.startsWith("LEASED"));
            assertThat(leased).startsWith("LEASED");
            run("kill", "-STOP", String.valueOf(holder.pid()));
            String state = Files.readString(Path.of("/proc", String.valueOf(holder.pid()), "stat")).split(" ")[2];

            SessionStore sessions = PausableLeaseHolder.connect(Duration.ofSeconds(30));
            SessionStore.Lease takeover = await().atMost(Duration.ofSeconds(30))
                    .until(() -> sessions.lock("acme", conversation), Optional::isPresent).orElseThrow();
            boolean takeoverWrote = sessions.append(takeover, "written by the new holder");
            run("kill", "-CONT", String.valueOf(holder.pid()));
            Writer in = holder.outputWriter();
            in.write("write\n");
            in.flush();
            String verdict = await().atMost(Duration.ofSeconds(30)).until(out::readLine, line -> line == null || !line.isBlank());
            List<String> facts = sessions.facts("acme", conversation);
            TABLE.put("4 paused lock holder", "holder %s (state %s while paused), new holder's token %d wrote: %s; resumed holder's write: %s; facts %s"
                    .formatted(leased, state, takeover.token(), takeoverWrote, verdict, facts));

            assertThat(state).isEqualTo("T");
            assertThat(takeoverWrote).isTrue();
            assertThat(verdict).isEqualTo("REJECTED");
            assertThat(facts).containsExactly("written by the new holder");
        } finally {
            holder.destroyForcibly();
        }
    }

    /** A tool that answers 503 for a while: bounded calls, then the backlog drains. */
    @Test
    @Order(5)
    void aFailingToolIsCalledABoundedNumberOfTimesAndTheBacklogDrains() throws Exception {
        sink.reset();
        int maxAttempts = 3;
        sink.failFlakyUntil(System.nanoTime() + Duration.ofSeconds(4).toNanos());
        List<String> accepted = submitAll(60, 8, i -> deliverTo("/flaky/" + i));
        Map<String, JsonNode> runs = client.awaitTerminal(accepted, SETTLE);
        long tasks = accepted.size() * 3L;
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> backlog() == 0);
        TABLE.put("5 tool answering 503", "%d runs, %d tasks; %d calls (limit %d = tasks x max attempts), %d answered 503; "
                .formatted(accepted.size(), tasks, sink.flakyRequests(), tasks * maxAttempts, sink.refused())
                + "%d runs ended: %d succeeded, %d failed; backlog 0"
                .formatted(terminal(runs), count(runs, "succeeded"), count(runs, "failed")));

        assertThat(sink.refused()).isPositive();
        assertThat(sink.flakyRequests()).isLessThanOrEqualTo(tasks * maxAttempts);
        assertThat(terminal(runs)).isEqualTo(accepted.size());
        assertThat(count(runs, "succeeded")).isPositive();
    }

    // ------------------------------------------------------------------------------------------

    /** Waits until the load has had {@code more} runs accepted: it goes on between the outages. */
    private static void awaitMoreRunsAccepted(Collection<String> accepted, int more) {
        int before = accepted.size();
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> accepted.size() >= before + more);
    }

    private static String deliver(String path) {
        return deliverTo(path);
    }

    private static String deliverTo(String path) {
        return "{\"agent\": \"deliver\", \"input\": {\"urls\": [\"%s/a\", \"%s/b\", \"%s/c\"]}}"
                .formatted(sink.url(path), sink.url(path), sink.url(path));
    }

    private static List<String> submitAll(int runs, int clients, IntFunction<String> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<java.util.concurrent.Future<String>> submitted = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                int n = i;
                submitted.add(pool.submit(() -> client.submit(body.apply(n), Duration.ofMinutes(2))));
            }
            List<String> accepted = new ArrayList<>();
            for (java.util.concurrent.Future<String> run : submitted) {
                String runId = run.get();
                if (runId != null) {
                    accepted.add(runId);
                }
            }
            return accepted;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long terminal(Map<String, JsonNode> runs) {
        return runs.values().stream().filter(run -> Client.TERMINAL.contains(run.get("status").asString())).count();
    }

    private static long count(Map<String, JsonNode> runs, String status) {
        return runs.values().stream().filter(run -> run.get("status").asString().equals(status)).count();
    }

    private static Set<String> succeededKeys(Map<String, JsonNode> runs) {
        return runs.values().stream().filter(run -> run.get("status").asString().equals("succeeded"))
                .flatMap(run -> Stream.of("t0", "t1", "t2").map(t -> run.get("runId").asString() + ".s1." + t))
                .collect(Collectors.toSet());
    }

    private static void countIfOurs(JsonNode item, String batch, Map<String, Long> listed) {
        JsonNode runId = item.get("runId");
        JsonNode reason = item.get("reason");
        if (runId != null && runId.asString().startsWith(batch) && reason != null && !reason.asString().isBlank()) {
            listed.merge(item.get("source").asString(), 1L, Long::sum);
        }
    }

    /** Not JSON, wrong types, an unknown version and a missing tenant, spread over three topics. */
    private static int injectKafkaPoison(String batch, int count) throws Exception {
        List<String> topics = List.of(Topics.AGENT_REQUESTED, Topics.AGENT_TOOL_CALLED, Topics.AGENT_STEP_COMPLETED);
        List<Class<? extends Record>> types = List.of(AgentRequested.class, ToolCalled.class, StepCompleted.class);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", "127.0.0.1:9092",
                "acks", "all"), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                int topic = i % topics.size();
                String runId = batch + "-k" + i;
                RecordHeaders headers = new RecordHeaders();
                Envelope.origin(runId + ".e", "/fault-suite", types.get(topic), "acme", "corr", runId).toHeaders()
                        .forEach((name, value) -> headers.add(name, value.getBytes(StandardCharsets.UTF_8)));
                String payload = switch (i % 4) {
                    case 0 -> "not json at all";
                    case 1 -> "{\"runId\": [1, 2], \"step\": \"first\", \"input\": 42}";
                    case 2 -> {
                        String type = new String(headers.lastHeader(CloudEventHeaders.TYPE).value(), StandardCharsets.UTF_8);
                        headers.remove(CloudEventHeaders.TYPE).add(CloudEventHeaders.TYPE,
                                type.replace(".v1", ".v9").getBytes(StandardCharsets.UTF_8));
                        yield "{}";
                    }
                    default -> {
                        headers.remove(CloudEventHeaders.TENANT_ID);
                        yield "{\"runId\": \"" + runId + "\"}";
                    }
                };
                producer.send(new ProducerRecord<>(topics.get(topic), null, "conv-" + runId,
                        payload.getBytes(StandardCharsets.UTF_8), headers));
            }
            producer.flush();
        }
        return count;
    }

    /** The same four kinds of poison as tool tasks, published to the work exchange with confirms. */
    private static int injectTaskPoison(String batch, int count) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.confirmSelect();
            for (int i = 0; i < count; i++) {
                String runId = batch + "-r" + i;
                Map<String, Object> headers = new HashMap<>(
                        Envelope.origin(runId + ".t", "/fault-suite", ToolTask.class, "acme", "corr", runId).toHeaders());
                String payload = switch (i % 4) {
                    case 0 -> "not json at all";
                    case 1 -> "{\"taskId\": [1], \"step\": \"first\", \"args\": 42}";
                    case 2 -> {
                        headers.put(CloudEventHeaders.TYPE, "tool.task.v9");
                        yield "{}";
                    }
                    default -> {
                        headers.remove(CloudEventHeaders.TENANT_ID);
                        yield "{\"taskId\": \"" + runId + ".t\"}";
                    }
                };
                AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().messageId(runId + ".t")
                        .contentType("application/json").deliveryMode(2).headers(headers).build();
                channel.basicPublish(TaskQueues.WORK_EXCHANGE, TaskQueues.WORK_ROUTING_KEY, true, properties,
                        payload.getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(30_000);
        }
        return count;
    }

    /**
     * Messages RabbitMQ redelivered on the work queue since it started. Its statistics are refreshed
     * every 5 s: the count once two readings 6 s apart agree.
     */
    private static long redeliveries() {
        long[] last = {-1};
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(6)).until(() -> {
            JsonNode stats = client.rabbitManagement("/api/queues/%2F/" + TaskQueues.WORK_QUEUE).get("message_stats");
            long now = stats == null || stats.get("redeliver") == null ? 0 : stats.get("redeliver").asLong();
            boolean settled = now == last[0];
            last[0] = now;
            return settled;
        });
        return last[0];
    }

    /** Tasks waiting in the work queues and the retry tiers. */
    private static long backlog() throws Exception {
        long waiting = 0;
        List<String> queues = new ArrayList<>(List.of(TaskQueues.WORK_QUEUE, TaskQueues.BACKGROUND_WORK_QUEUE));
        for (Priority lane : Priority.values()) {
            TaskQueues.RETRY_TIERS.forEach(tier -> queues.add(tier.queue(lane)));
        }
        for (String queue : queues) {
            JsonNode messages = client.rabbitManagement("/api/queues/%2F/" + queue).get("messages");
            waiting += messages == null ? 0 : messages.asLong();
        }
        return waiting;
    }

    private static void run(String... command) throws Exception {
        Path log = Files.createDirectories(Path.of("target", "e2e", "logs")).resolve("fault-commands.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as(String.join(" ", command) + " finished").isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + " (see target/e2e-logs/fault-commands.log)").isZero();
    }
}
