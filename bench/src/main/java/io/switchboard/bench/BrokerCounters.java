package io.switchboard.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * How much work the local brokers have done so far, read from counters that only grow: Kafka's end
 * offsets per topic (internal topics left out), RabbitMQ's global message counters, Redis's calls per
 * command ({@code INFO commandstats}) and Memcached's command counters ({@code stats}). The work of
 * one run is the difference of a snapshot taken after it and one taken before:
 * {@code BrokerCounters.take().minus(before)}. Everything else using the brokers meanwhile is
 * counted too.
 *
 * <p>RabbitMQ's figures come from its Prometheus endpoint (port 15692), whose global counters are
 * current when read. The management API's {@code message_stats} would do as well but lags by up to
 * {@code collect_statistics_interval} (5 s by default), so a second snapshot would have to wait that
 * long. Redis counts the commands a Lua script runs as well as the EVALSHA that ran it; taking a
 * snapshot adds one INFO call. Kafka's end offsets include transaction markers, if any.
 */
public final class BrokerCounters {

    static final String KAFKA = "127.0.0.1:9092";
    static final URI RABBIT_METRICS = URI.create("http://127.0.0.1:15692/metrics");
    static final String REDIS_HOST = "127.0.0.1";
    static final int REDIS_PORT = 6379;
    static final String MEMCACHED_HOST = "127.0.0.1";
    static final int MEMCACHED_PORT = 11211;

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Map<String, String> RABBIT_COUNTERS = Map.of(
            "rabbitmq_global_messages_received_total", "published",
            "rabbitmq_global_messages_confirmed_total", "confirmed",
            "rabbitmq_global_messages_delivered_total", "delivered",
            "rabbitmq_global_messages_acknowledged_total", "acknowledged");
    private static final List<String> MEMCACHED_COMMANDS = List.of("cmd_get", "cmd_set", "cmd_touch",
            "delete_hits", "delete_misses", "incr_hits", "incr_misses", "decr_hits", "decr_misses");

    private BrokerCounters() {
    }

    /**
     * The counters at one moment, or the difference between two such moments.
     *
     * @param kafkaEndOffsets    per topic, the sum of its partitions' end offsets
     * @param rabbitPublished    messages RabbitMQ received from publishers
     * @param rabbitConfirmed    publisher confirms it sent
     * @param rabbitDelivered    deliveries to consumers (basic.consume and basic.get)
     * @param rabbitAcknowledged acknowledgements it received from consumers
     * @param redisCalls         per command as Redis names it ({@code get}, {@code evalsha},
     *                           {@code client|setname}), how often it ran
     * @param memcachedStats     Memcached's {@code cmd_*}, {@code *_hits} and {@code *_misses} counters
     */
    public record Snapshot(Map<String, Long> kafkaEndOffsets, long rabbitPublished, long rabbitConfirmed,
            long rabbitDelivered, long rabbitAcknowledged, Map<String, Long> redisCalls,
            Map<String, Long> memcachedStats) {

        public Snapshot {
            kafkaEndOffsets = Map.copyOf(kafkaEndOffsets);
            redisCalls = Map.copyOf(redisCalls);
            memcachedStats = Map.copyOf(memcachedStats);
        }

        /** Records in all topics. */
        public long kafkaRecords() {
            return kafkaEndOffsets.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Commands of every kind, including those run inside scripts. */
        public long redisCommands() {
            return redisCalls.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Gets, sets (also add, replace, cas), touches, deletes, increments and decrements. */
        public long memcachedCommands() {
            return MEMCACHED_COMMANDS.stream().mapToLong(name -> memcachedStats.getOrDefault(name, 0L)).sum();
        }

        /**
         * The work done between {@code earlier} and this snapshot. Counters that did not move are left
         * out of the maps; a topic deleted in between is left out, one created in between counts from 0.
         */
        public Snapshot minus(Snapshot earlier) {
            return new Snapshot(difference(kafkaEndOffsets, earlier.kafkaEndOffsets),
                    rabbitPublished - earlier.rabbitPublished, rabbitConfirmed - earlier.rabbitConfirmed,
                    rabbitDelivered - earlier.rabbitDelivered, rabbitAcknowledged - earlier.rabbitAcknowledged,
                    difference(redisCalls, earlier.redisCalls), difference(memcachedStats, earlier.memcachedStats));
        }

        private static Map<String, Long> difference(Map<String, Long> later, Map<String, Long> earlier) {
            Map<String, Long> difference = new TreeMap<>();
            later.forEach((name, value) -> {
                long moved = value - earlier.getOrDefault(name, 0L);
                if (moved != 0) {
                    difference.put(name, moved);
                }
            });
            return difference;
        }
    }

    /** Reads all four brokers' counters on 127.0.0.1 (Kafka 9092, RabbitMQ 15692, Redis 6379, Memcached 11211). */
    public static Snapshot take() {
        Map<String, Long> rabbit = rabbitCounters();
        return new Snapshot(kafkaEndOffsets(), rabbit.getOrDefault("published", 0L),
                rabbit.getOrDefault("confirmed", 0L), rabbit.getOrDefault("delivered", 0L),
                rabbit.getOrDefault("acknowledged", 0L), redisCalls(), memcachedStats());
    }

    static Map<String, Long> kafkaEndOffsets() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA,
                AdminClientConfig.CLIENT_ID_CONFIG, "bench-counters"))) {
            Set<String> topics = get(admin.listTopics().names());
            Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
            admin.describeTopics(topics).topicNameValues().forEach((topic, description) -> {
                TopicDescription described = getOrNull(description);
                if (described != null) {
                    described.partitions().forEach(partition ->
                            partitions.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
                }
            });
            ListOffsetsResult offsets = admin.listOffsets(partitions);
            Map<String, Long> endOffsets = new TreeMap<>();
            partitions.keySet().forEach(partition -> {
                ListOffsetsResult.ListOffsetsResultInfo info = getOrNull(offsets.partitionResult(partition));
                if (info != null) {
                    endOffsets.merge(partition.topic(), info.offset(), Long::sum);
                }
            });
            return endOffsets;
        }
    }

    static Map<String, Long> rabbitCounters() {
        HttpRequest request = HttpRequest.newBuilder(RABBIT_METRICS).timeout(TIMEOUT).build();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build()) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(RABBIT_METRICS + " answered " + response.statusCode());
            }
            return parsePrometheus(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sums RabbitMQ's global message counters over their labels (protocol, queue type). */
    static Map<String, Long> parsePrometheus(String metrics) {
        Map<String, Long> counters = new HashMap<>();
        metrics.lines().filter(line -> !line.startsWith("#")).forEach(line -> {
            int nameEnd = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
            String counter = nameEnd > 0 ? RABBIT_COUNTERS.get(line.substring(0, nameEnd)) : null;
            if (counter != null) {
                long value = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                counters.merge(counter, value, Long::sum);
            }
        });
        return counters;
    }

    static Map<String, Long> redisCalls() {
        return parseCommandStats((String) redis("INFO", "commandstats"));
    }

    /** {@code cmdstat_get:calls=21,usec=...} lines to {@code get -> 21}. */
    static Map<String, Long> parseCommandStats(String info) {
        Map<String, Long> calls = new TreeMap<>();
        info.lines().filter(line -> line.startsWith("cmdstat_")).forEach(line -> {
            int colon = line.indexOf(':');
            for (String field : line.substring(colon + 1).split(",")) {
                if (field.startsWith("calls=")) {
                    calls.put(line.substring("cmdstat_".length(), colon), Long.parseLong(field.substring(6)));
                }
            }
        });
        return calls;
    }

    static Map<String, Long> memcachedStats() {
        try (Socket socket = connect(MEMCACHED_HOST, MEMCACHED_PORT)) {
            socket.getOutputStream().write("stats\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Map<String, Long> stats = new TreeMap<>();
            for (String line = readLine(in); !line.equals("END"); line = readLine(in)) {
                String[] parts = line.split(" ");
                if (parts.length == 3 && parts[0].equals("STAT") && (parts[1].startsWith("cmd_")
                        || parts[1].endsWith("_hits") || parts[1].endsWith("_misses"))) {
                    stats.put(parts[1], Long.parseLong(parts[2]));
                }
            }
            return stats;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One Redis command over RESP on its own connection to 127.0.0.1:6379. Returns a String (simple
     * or bulk string; null for a null reply), a Long or a List of those; an error reply throws.
     */
    static Object redis(String... command) {
        try (Socket socket = connect(REDIS_HOST, REDIS_PORT)) {
            StringBuilder request = new StringBuilder("*").append(command.length).append("\r\n");
            for (String argument : command) {
                request.append('$').append(argument.getBytes(StandardCharsets.UTF_8).length).append("\r\n")
                        .append(argument).append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readReply(new BufferedInputStream(socket.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object readReply(InputStream in) throws IOException {
        String line = readLine(in);
        String rest = line.substring(1);
        return switch (line.charAt(0)) {
            case '+' -> rest;
            case '-' -> throw new IllegalStateException("Redis: " + rest);
            case ':' -> Long.parseLong(rest);
            case '$' -> {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    yield null;
                }
                byte[] bulk = in.readNBytes(length + 2);
                yield new String(bulk, 0, length, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(rest);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    items.add(readReply(in));
                }
                yield count < 0 ? null : items;
            }
            default -> throw new IllegalStateException("unexpected Redis reply: " + line);
        };
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed after: " + line);
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static Socket connect(String host, int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), (int) TIMEOUT.toMillis());
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        return socket;
    }

    private static <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka at " + KAFKA + ": " + e.getMessage(), e);
        }
    }

    /** A topic deleted while the snapshot is taken is left out rather than failing it. */
    private static <T> T getOrNull(KafkaFuture<T> future) {
        try {
            return get(future);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof ExecutionException) {
                return null;
            }
            throw e;
        }
    }
}
