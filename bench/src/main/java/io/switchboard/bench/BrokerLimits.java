package io.switchboard.bench;

import io.switchboard.events.RunStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The raw limits of the local brokers, measured with their own tools run as subprocesses: Kafka's
 * {@code ProducerPerformance} (kafka-tools), RabbitMQ's PerfTest and {@code redis-benchmark}. The
 * figures are what the brokers manage on this machine with nothing of the platform in between, a
 * ceiling for the platform's own throughput. The tools share the machine's cores with the brokers.
 *
 * <p>Kafka: 1 KB records with {@code acks=all} and no throttle to a topic {@code bench.producer-perf}
 * of 6 partitions; its latencies are those of a saturated producer, whose records wait in its buffer.
 * RabbitMQ: like the tool-task queue, one durable classic queue with {@code x-max-priority=10}, one
 * producer publishing persistent messages with publisher confirms, and 8 consumers with prefetch 1
 * and manual acknowledgements, as the worker listens. Redis: 50 clients, no pipelining, one run per
 * command the platform sends, each on {@code sb:bench:*} keys; the two EVALSHA rows are a script
 * that only increments (the cost of a script call) and the run-event append script itself. The
 * topic, queue, exchange and keys are deleted afterwards; the two scripts stay in Redis's script cache.
 *
 * <p>The tools' jars come from {@code bench/broker-tools/pom.xml}; building bench copies them to
 * {@code bench/target/broker-tools}. {@code redis-benchmark} is taken from the PATH. Standalone, after
 * {@code ./mvnw -pl bench -am package} (bench-exec.jar is a Spring Boot jar with its classes under
 * {@code BOOT-INF/}, so the class is started through the jar's {@code PropertiesLauncher}):
 *
 * <pre>java -cp bench/target/bench-exec.jar -Dloader.main=io.switchboard.bench.BrokerLimits \
 *     org.springframework.boot.loader.launch.PropertiesLauncher [--tools=bench/target/broker-tools]
 *     [--kafka-records=300000] [--record-size=1024] [--rabbit-seconds=20] [--rabbit-consumers=8]
 *     [--rabbit-prefetch=1] [--rabbit-confirms=100] [--redis-requests=100000] [--redis-clients=50]</pre>
 */
public final class BrokerLimits {

    static final String KAFKA_TOPIC = "bench.producer-perf";
    static final int KAFKA_PARTITIONS = 6;
    static final String RABBIT_NAME = "bench.perf-test";
    static final String RABBIT_URI = "amqp://guest:guest@127.0.0.1:5672";
    static final URI RABBIT_MANAGEMENT = URI.create("http://127.0.0.1:15672/api/");
    static final String REDIS_KEYS = "sb:bench:";

    private static final List<String> OPTIONS = List.of("tools", "kafka-records", "record-size", "rabbit-seconds",
            "rabbit-consumers", "rabbit-prefetch", "rabbit-confirms", "redis-requests", "redis-clients");
    private static final String VALUE = "v".repeat(256);
    private static final String INCR_SCRIPT = "return redis.call('INCR', KEYS[1])";

    private static final Pattern KAFKA_SUMMARY = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec "
            + "\\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, "
            + "(\\d+) ms 95th, (\\d+) ms 99th, (\\d+) ms 99.9th");
    private static final Pattern RABBIT_SENT = Pattern.compile("sending rate avg: (\\d+) msg/s");
    private static final Pattern RABBIT_RECEIVED = Pattern.compile("receiving rate avg: (\\d+) msg/s");
    private static final Pattern RABBIT_CONSUMER_LATENCY = Pattern.compile(
            "consumer latency min/median/75th/95th/99th (\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\d+)");
    private static final Pattern RABBIT_CONFIRM_LATENCY = Pattern.compile(
            "confirm latency min/median/75th/95th/99th (\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\d+)");

    private BrokerLimits() {
    }

    /**
     * How hard to push each broker.
     *
     * @param kafkaRecords    records ProducerPerformance sends
     * @param recordSize      bytes per Kafka record and per RabbitMQ message
     * @param rabbitSeconds   how long PerfTest runs
     * @param rabbitConsumers consumers on the one queue (one producer)
     * @param rabbitPrefetch  unacknowledged messages per consumer
     * @param rabbitConfirms  unconfirmed messages the producer may have outstanding
     * @param redisRequests   requests per command
     * @param redisClients    connections redis-benchmark opens
     */
    public record Settings(int kafkaRecords, int recordSize, int rabbitSeconds, int rabbitConsumers,
            int rabbitPrefetch, int rabbitConfirms, int redisRequests, int redisClients) {

        public static Settings defaults() {
            return new Settings(300_000, 1024, 20, 8, 1, 100, 100_000, 50);
        }
    }

    /** ProducerPerformance's final summary; latencies in milliseconds. */
    public record KafkaFigures(long records, double recordsPerSecond, double megabytesPerSecond, double averageLatencyMs,
            double maxLatencyMs, double p50LatencyMs, double p95LatencyMs, double p99LatencyMs, double p999LatencyMs) {
    }

    /** PerfTest's summary; latencies in milliseconds. */
    public record RabbitFigures(double publishedPerSecond, double consumedPerSecond, double consumerLatencyP50Ms,
            double consumerLatencyP99Ms, double confirmLatencyP50Ms, double confirmLatencyP99Ms) {
    }

    /** A command redis-benchmark sends, as the platform sends it, and where the platform does. */
    record RedisCommand(String name, List<String> arguments, String usedBy) {

        String commandLine() {
            return String.join(" ", arguments).replace(VALUE, "<256 B>");
        }
    }

    /**
     * @param tools the tool and version behind each broker's figures
     * @param redis requests per second by command name ({@code GET}, {@code SET PX}, {@code EVALSHA run-event append}, ...)
     */
    public record Result(Settings settings, Map<String, String> tools, KafkaFigures kafka, RabbitFigures rabbit,
            Map<String, Double> redis) {

        /** A Markdown table: broker, tool and settings, figure. */
        public String table() {
            StringBuilder table = new StringBuilder("| broker | tool and settings | figure |\n|---|---|---|\n");
            table.append(String.format(Locale.ROOT, "| Kafka | %s: %,d records of %d B, `acks=all`, `--throughput -1`, "
                            + "other producer settings default; topic `%s`, %d partitions | %,.0f records/s (%.1f MB/s); "
                            + "latency p50 %.0f ms, p99 %.0f ms |\n",
                    tools.get("kafka"), settings.kafkaRecords(), settings.recordSize(), KAFKA_TOPIC, KAFKA_PARTITIONS,
                    kafka.recordsPerSecond(), kafka.megabytesPerSecond(), kafka.p50LatencyMs(), kafka.p99LatencyMs()));
            table.append(String.format(Locale.ROOT, "| RabbitMQ | %s, %d s: 1 producer, persistent %d B messages of "
                            + "priority 5, confirms with %d outstanding; %d consumers, prefetch %d, manual acks; one "
                            + "durable classic queue with `x-max-priority=10` | published %,.0f msg/s, consumed %,.0f msg/s; "
                            + "consumer latency p50 %.1f ms, p99 %.1f ms; confirm latency p50 %.1f ms, p99 %.1f ms |\n",
                    tools.get("rabbitmq"), settings.rabbitSeconds(), settings.recordSize(), settings.rabbitConfirms(),
                    settings.rabbitConsumers(), settings.rabbitPrefetch(), rabbit.publishedPerSecond(),
                    rabbit.consumedPerSecond(), rabbit.consumerLatencyP50Ms(), rabbit.consumerLatencyP99Ms(),
                    rabbit.confirmLatencyP50Ms(), rabbit.confirmLatencyP99Ms()));
            List<RedisCommand> commands = redisCommands("<sha1>", "<sha1>");
            commands.stream().filter(command -> redis.containsKey(command.name())).forEach(command ->
                    table.append(String.format(Locale.ROOT, "| Redis | %s `-c %d -n %d -r 1000000`, no pipelining: "
                                    + "`%s` (%s) | %,.0f requests/s |\n", tools.get("redis"), settings.redisClients(),
                            settings.redisRequests(), command.commandLine(), command.usedBy(), redis.get(command.name()))));
            return table.toString();
        }
    }

    public static void main(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            String[] option = arg.replaceFirst("^--", "").split("=", 2);
            if (option.length != 2 || !OPTIONS.contains(option[0])) {
                throw new IllegalArgumentException("unknown option " + arg + "; options: --" + String.join(", --", OPTIONS));
            }
            options.put(option[0], option[1]);
        }
        Settings defaults = Settings.defaults();
        Settings settings = new Settings(option(options, "kafka-records", defaults.kafkaRecords()),
                option(options, "record-size", defaults.recordSize()),
                option(options, "rabbit-seconds", defaults.rabbitSeconds()),
                option(options, "rabbit-consumers", defaults.rabbitConsumers()),
                option(options, "rabbit-prefetch", defaults.rabbitPrefetch()),
                option(options, "rabbit-confirms", defaults.rabbitConfirms()),
                option(options, "redis-requests", defaults.redisRequests()),
                option(options, "redis-clients", defaults.redisClients()));
        Path tools = options.containsKey("tools") ? Path.of(options.get("tools")) : defaultTools();
        System.out.print(measure(tools, settings).table());
    }

    private static int option(Map<String, String> options, String name, int fallback) {
        return options.containsKey(name) ? Integer.parseInt(options.get(name)) : fallback;
    }

    /** {@code target/broker-tools} when run from the bench module, else {@code bench/target/broker-tools}. */
    public static Path defaultTools() {
        Path inModule = Path.of("target", "broker-tools");
        return Files.isDirectory(inModule) ? inModule : Path.of("bench", "target", "broker-tools");
    }

    /** Runs the three tools one after the other; takes about a minute with the default settings. */
    public static Result measure(Path toolsDir, Settings settings) {
        Map<String, String> tools = new LinkedHashMap<>();
        tools.put("kafka", "ProducerPerformance (kafka-tools " + jarVersion(toolsDir, "kafka-tools") + ")");
        tools.put("rabbitmq", "PerfTest " + jarVersion(toolsDir, "perf-test"));
        tools.put("redis", run(List.of("redis-benchmark", "--version"), Duration.ofSeconds(10)).trim().split(" \\(")[0]);
        return new Result(settings, tools, kafka(toolsDir, settings), rabbit(toolsDir, settings), redis(settings));
    }

    static KafkaFigures kafka(Path toolsDir, Settings settings) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, BrokerCounters.KAFKA))) {
            createTopic(admin);
            try {
                return parseKafka(run(java(toolsDir, List.of("-Xmx512m",
                                "-Dslf4j.provider=org.slf4j.nop.NOPServiceProvider"),
                        "org.apache.kafka.tools.ProducerPerformance", "--topic", KAFKA_TOPIC,
                        "--num-records", String.valueOf(settings.kafkaRecords()),
                        "--record-size", String.valueOf(settings.recordSize()), "--throughput", "-1",
                        "--producer-props", "bootstrap.servers=" + BrokerCounters.KAFKA, "acks=all"),
                        Duration.ofSeconds(60 + settings.kafkaRecords() / 1000)));
            } finally {
                await(admin.deleteTopics(List.of(KAFKA_TOPIC)).all());
            }
        }
    }

    /** Creates the topic afresh: one left over from an interrupted run is deleted first. */
    private static void createTopic(Admin admin) {
        if (await(admin.listTopics().names()).contains(KAFKA_TOPIC)) {
            await(admin.deleteTopics(List.of(KAFKA_TOPIC)).all());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                await(admin.createTopics(List.of(new NewTopic(KAFKA_TOPIC, KAFKA_PARTITIONS, (short) 1))).all());
                return;
            } catch (IllegalStateException stillBeingDeleted) {
                if (!(stillBeingDeleted.getCause() instanceof ExecutionException failed
                        && failed.getCause() instanceof TopicExistsException) || System.nanoTime() > deadline) {
                    throw stillBeingDeleted;
                }
                pause(Duration.ofMillis(200));
            }
        }
    }

    static RabbitFigures rabbit(Path toolsDir, Settings settings) {
        try {
            return parseRabbit(run(java(toolsDir,
                            List.of("-Dslf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider"),
                            "com.rabbitmq.perf.PerfTest", "-h", RABBIT_URI, "-e", RABBIT_NAME, "-u", RABBIT_NAME,
                            "--auto-delete", "true", "-f", "persistent", "-c", String.valueOf(settings.rabbitConfirms()),
                            "-x", "1", "-y", String.valueOf(settings.rabbitConsumers()),
                            "-q", String.valueOf(settings.rabbitPrefetch()), "-s", String.valueOf(settings.recordSize()),
                            "-qa", "x-max-priority=10", "-mp", "priority=5", "-z", String.valueOf(settings.rabbitSeconds())),
                    Duration.ofSeconds(60 + settings.rabbitSeconds())));
        } finally {
            deleteRabbit("queues/%2F/" + RABBIT_NAME);
            deleteRabbit("exchanges/%2F/" + RABBIT_NAME);
        }
    }

    static Map<String, Double> redis(Settings settings) {
        try {
            String incr = (String) BrokerCounters.redis("SCRIPT", "LOAD", INCR_SCRIPT);
            String append = (String) BrokerCounters.redis("SCRIPT", "LOAD", RunStream.APPEND_SCRIPT);
            Map<String, Double> rates = new LinkedHashMap<>();
            for (RedisCommand command : redisCommands(incr, append)) {
                BrokerCounters.redis(command.arguments().stream()
                        .map(argument -> argument.replace("__rand_int__", "000000000001")).toArray(String[]::new));
                List<String> benchmark = new ArrayList<>(List.of("redis-benchmark", "-h", BrokerCounters.REDIS_HOST,
                        "-p", String.valueOf(BrokerCounters.REDIS_PORT), "-c", String.valueOf(settings.redisClients()),
                        "-n", String.valueOf(settings.redisRequests()), "-r", "1000000", "--csv"));
                benchmark.addAll(command.arguments());
                rates.put(command.name(), parseRedis(run(benchmark, Duration.ofSeconds(60 + settings.redisRequests() / 1000))));
            }
            return rates;
        } finally {
            deleteRedisKeys();
        }
    }

    /** The commands the platform sends Redis, in an order in which each finds the keys it reads. */
    static List<RedisCommand> redisCommands(String incrSha, String appendSha) {
        String k = REDIS_KEYS;
        return List.of(
                new RedisCommand("SET PX", List.of("SET", k + "value", VALUE, "PX", "60000"),
                        "RunState, ToolOutputCache, ComposerStore"),
                new RedisCommand("GET", List.of("GET", k + "value"), "RunEventLog, RunState, ToolOutputCache"),
                new RedisCommand("SET NX PX", List.of("SET", k + "lock", "1", "NX", "PX", "60000"), "SessionStore"),
                new RedisCommand("INCR", List.of("INCR", k + "fence"), "SessionStore"),
                new RedisCommand("EXPIRE", List.of("EXPIRE", k + "fence", "60"), "RunState, ComposerStore"),
                new RedisCommand("EXISTS", List.of("EXISTS", k + "value"), "RunEventLog"),
                new RedisCommand("HSET", List.of("HSET", k + "hash", "task", VALUE), "RunState, ComposerStore"),
                new RedisCommand("HGETALL", List.of("HGETALL", k + "hash"), "RunState, TokenBudgets, DeadLetters"),
                new RedisCommand("ZADD", List.of("ZADD", k + "deadlines", "__rand_int__", "run-__rand_int__"), "RunEventLog"),
                new RedisCommand("ZREM", List.of("ZREM", k + "deadlines", "run-__rand_int__"), "RunEventLog"),
                new RedisCommand("XADD", List.of("XADD", k + "events", "*", "event", "tool.succeeded", "data", VALUE),
                        "the run-event append script"),
                new RedisCommand("XRANGE", List.of("XRANGE", k + "events", "-", "+", "COUNT", "10"), "RunEventLog"),
                new RedisCommand("SETBIT", List.of("SETBIT", k + "bloom", "4242", "1"), "ProcessedEvents script"),
                new RedisCommand("GETBIT", List.of("GETBIT", k + "bloom", "4242"), "ProcessedEvents script"),
                new RedisCommand("EVALSHA INCR", List.of("EVALSHA", incrSha, "1", k + "fence"), "the cost of a script call"),
                new RedisCommand("EVALSHA run-event append", List.of("EVALSHA", appendSha, "3", k + "run:events",
                        k + "run:event-ids", k + "run:ended", "event-__rand_int__", "tool.succeeded", VALUE, "60", "0"),
                        "RunEventLog, for every run event"));
    }

    static KafkaFigures parseKafka(String output) {
        MatchResult summary = lastMatch(KAFKA_SUMMARY, output, "ProducerPerformance");
        return new KafkaFigures(Long.parseLong(summary.group(1)), number(summary, 2), number(summary, 3),
                number(summary, 4), number(summary, 5), number(summary, 6), number(summary, 7), number(summary, 8),
                number(summary, 9));
    }

    /** PerfTest reports latencies in microseconds. */
    static RabbitFigures parseRabbit(String output) {
        MatchResult consumer = lastMatch(RABBIT_CONSUMER_LATENCY, output, "PerfTest");
        MatchResult confirm = lastMatch(RABBIT_CONFIRM_LATENCY, output, "PerfTest");
        return new RabbitFigures(number(lastMatch(RABBIT_SENT, output, "PerfTest"), 1),
                number(lastMatch(RABBIT_RECEIVED, output, "PerfTest"), 1), number(consumer, 2) / 1000,
                number(consumer, 5) / 1000, number(confirm, 2) / 1000, number(confirm, 5) / 1000);
    }

    /** The requests per second of {@code redis-benchmark --csv}: the second field of the line after the header. */
    static double parseRedis(String output) {
        return output.lines().filter(line -> line.startsWith("\"") && !line.startsWith("\"test\""))
                .map(line -> line.split("\",\"")[1]).mapToDouble(Double::parseDouble).findFirst()
                .orElseThrow(() -> new IllegalStateException("no figures in redis-benchmark's output:\n" + output));
    }

    private static MatchResult lastMatch(Pattern pattern, String output, String tool) {
        Matcher matcher = pattern.matcher(output);
        MatchResult last = null;
        while (matcher.find()) {
            last = matcher.toMatchResult();
        }
        if (last == null) {
            throw new IllegalStateException("no " + pattern.pattern() + " in " + tool + "'s output:\n" + output);
        }
        return last;
    }

    private static double number(MatchResult match, int group) {
        return Double.parseDouble(match.group(group));
    }

    private static List<String> java(Path toolsDir, List<String> options, String mainClass, String... arguments) {
        if (jarVersion(toolsDir, "kafka-tools").isEmpty()) {
            throw new IllegalStateException("no broker tools in " + toolsDir.toAbsolutePath()
                    + "; build bench first: ./mvnw -pl bench -am package");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.language=en", "-Duser.country=US", "-Dstdout.encoding=UTF-8", "-Dslf4j.internal.verbosity=WARN"));
        command.addAll(options);
        command.addAll(List.of("-cp", toolsDir.toAbsolutePath() + "/*", mainClass));
        command.addAll(List.of(arguments));
        return command;
    }

    private static String jarVersion(Path toolsDir, String artifactId) {
        Pattern jar = Pattern.compile(Pattern.quote(artifactId) + "-(\\d[\\w.-]*)\\.jar");
        try (Stream<Path> files = Files.isDirectory(toolsDir) ? Files.list(toolsDir) : Stream.empty()) {
            return files.map(file -> jar.matcher(file.getFileName().toString())).filter(Matcher::matches)
                    .map(matcher -> matcher.group(1)).findFirst().orElse("");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command to its end and returns what it printed, standard error included. */
    static String run(List<String> command, Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("broker-limits", ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(command.getFirst() + " took longer than " + timeout + ":\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue()
                        + ":\n" + printed);
            }
            return printed;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }

    private static void deleteRabbit(String path) {
        HttpRequest request = HttpRequest.newBuilder(RABBIT_MANAGEMENT.resolve(path)).DELETE()
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "guest:guest".getBytes(StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(10)).build();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 204 && status != 404) {
                throw new IllegalStateException("DELETE " + request.uri() + " answered " + status);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void deleteRedisKeys() {
        String cursor = "0";
        do {
            List<?> reply = (List<?>) BrokerCounters.redis("SCAN", cursor, "MATCH", REDIS_KEYS + "*", "COUNT", "1000");
            cursor = (String) reply.get(0);
            List<?> keys = (List<?>) reply.get(1);
            if (!keys.isEmpty()) {
                List<String> unlink = new ArrayList<>(List.of("UNLINK"));
                keys.forEach(key -> unlink.add((String) key));
                BrokerCounters.redis(unlink.toArray(String[]::new));
            }
        } while (!cursor.equals("0"));
    }

    private static <T> T await(KafkaFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka at " + BrokerCounters.KAFKA + ": " + e.getMessage(), e);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
