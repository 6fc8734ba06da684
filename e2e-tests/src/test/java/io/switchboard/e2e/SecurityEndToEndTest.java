package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.switchboard.bench.stack.Platform;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.RunStream;
import io.switchboard.events.Topics;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEvents;
import io.switchboard.events.testing.SecurityFigures;
import io.switchboard.events.testing.SseEvents;
import io.switchboard.events.testing.TopicTail;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The stack as an attacker meets it, each test printing its figure ({@link SecurityFigures}; {@code
 * ./switchboard security} gathers them into {@code docs/security.md}): a run whose pages are too large
 * to travel in events, one tenant opening 2,000 streams, every route that takes an id asked by
 * another tenant, and request paths bent to slip past the key filters.
 */
@Tag("security")
class SecurityEndToEndTest {

    private static final String ACME = "acme-dev-key";
    private static final String GLOBEX = "globex-dev-key";
    private static final int PAGES = 5;
    private static final int PAGE_BYTES = 256 * 1024;
    private static final int STREAMS = Integer.getInteger("switchboard.security.streams", 2_000);
    private static final int CONNECTIONS = 200;
    /** 127.0.0.1 and ::1 as /proc/net/tcp and tcp6 write them, 127.0.0.1 also IPv4-mapped. */
    private static final List<String> LOOPBACK = List.of("0100007F", "00000000000000000000000001000000",
            "0000000000000000FFFF00000100007F");

    private static Platform platform;
    private static HttpServer pages;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws IOException {
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // Quotes: 256 KB of page grows as its text is escaped into JSON.
        byte[] large = ("<html><body>" + "<p>Kafka keeps \"events\" in order &amp; consumers share partitions.</p>\n"
                .repeat(PAGE_BYTES / 70) + "</body></html>").getBytes(StandardCharsets.UTF_8);
        pages.createContext("/large", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, large.length);
            exchange.getResponseBody().write(large);
            exchange.close();
        });
        pages.start();
        platform = TestPlatform.start();
    }

    @AfterAll
    static void stop() {
        platform.close();
        pages.stop(0);
    }

    @Test
    void fivePagesOf256KbInOneStepEndTheRunAndNoRecordNearsKafkasLimit() throws Exception {
        String base = "http://127.0.0.1:" + pages.getAddress().getPort();
        List<String> urls = IntStream.range(0, PAGES).mapToObj(i -> base + "/large?page=" + i).toList();
        String body = EventCodec.mapper().writeValueAsString(Map.of("agent", "research",
                "input", Map.of("urls", urls, "question", "How does Kafka keep events in order?")));
        try (TopicTail called = TopicTail.open(Topics.AGENT_TOOL_CALLED)) {
            long started = System.nanoTime();
            String runId = client(ACME).submit(body, Duration.ofSeconds(30));
            JsonNode run = client(ACME).awaitTerminal(List.of(runId), Duration.ofSeconds(150)).get(runId);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

            List<ConsumerRecord<String, byte[]>> records = called.awaitAll(record -> new String(record.value(), StandardCharsets.UTF_8)
                    .contains(runId), 2 * PAGES, Duration.ofSeconds(30));
            int largest = records.stream().mapToInt(record -> record.value().length).max().orElseThrow();
            String status = run.get("status").asString();
            SecurityFigures.record("large-run", ("A research run of %d pages of %d KB: %s in %d s%s; the largest of its %d "
                    + "agent.tool_called records is %,d bytes (Kafka's limit 1,048,576), its fetched pages kept aside by reference")
                    .formatted(PAGES, PAGE_BYTES / 1024, status, seconds,
                            status.equals("succeeded") ? "" : " (" + run.get("error").asString() + ")", records.size(), largest));

            assertThat(status).isEqualTo("succeeded");
            assertThat(run.get("output").get("sources")).hasSize(PAGES);
            assertThat(largest).isLessThan(64 * 1024 + 4 * 1024);
            List<String> calls = new ArrayList<>();
            run.get("toolCalls").forEach(call -> calls.add(call.get("tool").asString() + " " + call.get("status").asString()));
            assertThat(calls).hasSize(2 * PAGES).allSatisfy(call -> assertThat(call).endsWith(" succeeded"));
        }
    }

    @Test
    void oneTenantsStreamsAreBoundedStopWithTheirClientsAndLeaveTheOthersQuick() throws Exception {
        String hanging = openRun();
        long idleLatency = medianStreamLatency();
        double idleCommands = redisCommandsPerSecond();

        // As fast as the tenant can over 200 connections at a time: a refused one frees its connection at once, an
        // admitted one keeps it (the tenant's 100 leave the other 100 for new attempts).
        Semaphore connections = new Semaphore(CONNECTIONS);
        List<CompletableFuture<HttpResponse<Stream<String>>>> opened = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            connections.acquire();
            opened.add(http.sendAsync(HttpRequest.newBuilder(URI.create(gateway() + "/v1/runs/" + hanging + "/events"))
                    .header("Authorization", "Bearer " + ACME).build(), HttpResponse.BodyHandlers.ofLines())
                    .whenComplete((response, failure) -> {
                        if (failure != null || response.statusCode() != 200) {
                            connections.release();
                        }
                    }));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<HttpResponse<Stream<String>>> admitted = new ArrayList<>();
        for (CompletableFuture<HttpResponse<Stream<String>>> stream : opened) {
            HttpResponse<Stream<String>> response = stream.get(60, TimeUnit.SECONDS);
            statuses.merge(response.statusCode(), 1, Integer::sum);
            if (response.statusCode() == 200) {
                admitted.add(response);
            } else {
                assertThat(response.headers().firstValue("Retry-After")).as("a refused stream says when to retry").isPresent();
                response.body().close();
            }
        }
        double heldAtOnce = openStreams();
        double openCommands = redisCommandsPerSecond();
        long busyLatency = medianStreamLatency();

        long closing = System.nanoTime();
        admitted.forEach(response -> response.body().close());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> openStreams() == 0);
        double closedSeconds = (System.nanoTime() - closing) / 1e9;
        withRedis(redis -> redis.del(RedisKeys.runEvents("acme", hanging)));

        SecurityFigures.record("streams", ("%,d SSE streams opened by one tenant as fast as it could over %d connections: %s by "
                + "status, %.0f held open at once (the limit per tenant is 100; a stream that ends frees its place); Redis %.0f commands/s with none open, %.0f "
                + "with them open (one blocking reader for them all; polling each stream 5 times a second, two commands a poll, "
                + "would be %,d); another tenant's run, accepted to run.completed on its stream, median %d ms before and %d ms "
                + "while they were open; all closed by their clients, the gateway held none %.1f s later")
                .formatted(STREAMS, CONNECTIONS, statuses, heldAtOnce, idleCommands, openCommands, (int) heldAtOnce * 5 * 2, idleLatency,
                        busyLatency, closedSeconds));

        assertThat(statuses.keySet()).containsOnly(200, 429);
        assertThat(heldAtOnce).isLessThanOrEqualTo(100);
        assertThat(statuses.get(429)).isGreaterThanOrEqualTo(STREAMS - 150);
        assertThat(openCommands).as("Redis commands/s with the streams open").isLessThan(idleCommands + 100);
        assertThat(busyLatency).isLessThan(Math.max(3 * idleLatency, 2_000));
    }

    /** Every route that takes an id: another tenant's id answers exactly as an id that does not exist. */
    @Test
    void everyRouteWithAnIdAnswersAnotherTenantsIdsLikeUnknownOnes() throws Exception {
        String runId = client(ACME).submit("{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"2+2\"]}}", Duration.ofSeconds(30));
        JsonNode run = client(ACME).awaitTerminal(List.of(runId), Duration.ofSeconds(60)).get(runId);
        String conversation = run.get("conversationId").asString();
        await().atMost(Duration.ofSeconds(30)).until(() -> send(ACME, "GET", "/v1/conversations/" + conversation).statusCode() == 200);
        String agent = "bola-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(send(ACME, "PUT", "/v1/agents/" + agent, "{\"model\": \"default\", \"instructions\": \"Acme's.\"}").statusCode())
                .isIn(200, 201);
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("GET /v1/runs/%s", runId);
        routes.put("GET /v1/runs/%s/events", runId);
        routes.put("GET /v1/runs/%s/usage", runId);
        routes.put("POST /v1/runs/%s/cancel", runId);
        routes.put("GET /v1/conversations/%s", conversation);
        routes.put("GET /v1/agents/%s", agent);
        routes.put("DELETE /v1/agents/%s", agent);
        routes.put("DELETE /v1/conversations/%s", conversation);

        int identical = 0;
        for (Map.Entry<String, String> route : routes.entrySet()) {
            String[] methodPath = route.getKey().split(" ");
            String unknown = route.getValue().startsWith("bola-") ? "bola-" + UUID.randomUUID().toString().substring(0, 8)
                    : UUID.randomUUID().toString();
            HttpResponse<String> foreign = send(GLOBEX, methodPath[0], methodPath[1].formatted(route.getValue()), null);
            HttpResponse<String> missing = send(GLOBEX, methodPath[0], methodPath[1].formatted(unknown), null);

            assertThat(foreign.statusCode()).as(route.getKey()).isEqualTo(404);
            assertThat(missing.statusCode()).as(route.getKey()).isEqualTo(404);
            assertThat(foreign.body().replace(route.getValue(), "ID")).as(route.getKey())
                    .isEqualTo(missing.body().replace(unknown, "ID"));
            identical++;
        }
        assertThat(send(ACME, "GET", "/v1/runs/" + runId, null).statusCode()).as("the owner still reads it").isEqualTo(200);
        assertThat(send(ACME, "GET", "/v1/conversations/" + conversation, null).statusCode()).isEqualTo(200);
        SecurityFigures.record("bola", ("BOLA matrix: %d routes that take an id, asked by another tenant for ids that exist and for "
                + "ids that do not: %d of %d answered the same 404, byte for byte").formatted(routes.size(), identical, routes.size()));
        send(ACME, "DELETE", "/v1/agents/" + agent, null);
    }

    /** Request paths bent every way a filter could miss: none opens an admin route with a tenant key, or a tenant route with none. */
    @Test
    void noBentPathSlipsPastTheKeyFilters() throws Exception {
        List<String> admin = List.of("/v1/admin/tenants/acme/api-keys", "/v1//admin/tenants/acme/api-keys",
                "/v1/./admin/tenants/acme/api-keys", "/v1/x/../admin/tenants/acme/api-keys", "/v1/%61dmin/tenants/acme/api-keys",
                "/v1/ADMIN/tenants/acme/api-keys", "/v1/admin;a=b/tenants/acme/api-keys", "/v1/admin%2ftenants/acme/api-keys",
                "/v1/admin/./tenants/acme/api-keys", "/v1/admin/tenants/acme/api-keys/", "/v1/admin/tenants/acme/api-keys;.css",
                "//v1/admin/tenants/acme/api-keys", "/v1/%2e/admin/tenants/acme/api-keys", "/v1/admin%00/tenants/acme/api-keys",
                "/V1/admin/tenants/acme/api-keys", "/v1/runs/../admin/tenants/acme/api-keys", "/v1/%252e%252e/admin/tenants/acme/api-keys",
                "/v1/admin/dead-letters", "/v1//admin/dead-letters", "/v1/%61dmin/dead-letters", "/v1/admin;x/dead-letters",
                "/v1/admin/dead-letters/..;/dead-letters", "/v1/./admin/replays", "/v1/admin\\tenants/acme/api-keys",
                "/v1/admin/tenants/acme/api-keys?/v1/agents", "/v1/admin/tenants/acme/api-keys#/v1/agents");
        List<String> tenant = List.of("/v1/runs", "/v1//runs", "/v1/./runs", "/v1/x/../runs", "/v1/%72uns", "/V1/runs", "/v1;a=b/runs",
                "/v1/runs;.css", "/v1/agents/", "//v1/agents", "/v1/%2e/agents", "/%76%31/agents", "/v1/agents%00", "/./v1/agents",
                "/v1/agents?key=acme-dev-key", "/v1/usage;jsessionid=x", "/v1/dead-letters", "/v1//dead-letters", "/v1/search?q=a",
                "/v1/conversations/x", "/v1/models", "/v1/tools", "/actuator/prometheus", "/actuator/health/../prometheus");
        int requests = 0;
        List<String> bypasses = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int port : List.of(TestPlatform.GATEWAY_PORT, TestPlatform.GATEWAY_PORT + 4)) {
            for (String path : admin) {
                int status = rawGet(port, path, ACME);
                requests++;
                statuses.merge(status, 1, Integer::sum);
                if (status < 300) {
                    bypasses.add(port + " " + path + " with a tenant key -> " + status);
                }
            }
            for (String path : tenant) {
                int status = rawGet(port, path, null);
                requests++;
                statuses.merge(status, 1, Integer::sum);
                if (status < 300) {
                    bypasses.add(port + " " + path + " without a key -> " + status);
                }
            }
        }
        SecurityFigures.record("paths", ("Path corpus: %d requests (%d admin paths with a tenant key, %d tenant paths with no key, "
                + "against the gateway and the operations service): %d bypasses; statuses %s")
                .formatted(requests, admin.size() * 2, tenant.size() * 2, bypasses.size(), statuses));

        assertThat(bypasses).isEmpty();
    }

    /** The stack listens on loopback only: the services' API and management ports and every broker's. */
    @Test
    void everyPortOfTheStackListensOnLoopbackOnly() throws IOException {
        List<Integer> ports = new ArrayList<>(List.of(4369, 5432, 5672, 6379, 9092, 9093, 11211, 15672, 15692, 25672));
        for (int i = 0; i < 5; i++) {
            ports.add(TestPlatform.GATEWAY_PORT + i);
            ports.add(Platform.managementPort(TestPlatform.GATEWAY_PORT + i));
        }
        Map<Integer, List<String>> listening = new TreeMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.strip().split("\\s+");
                String[] local = fields[1].split(":");
                int port = Integer.parseInt(local[1], 16);
                if (fields[3].equals("0A") && ports.contains(port)) {
                    listening.computeIfAbsent(port, p -> new ArrayList<>()).add(local[0]);
                }
            }
        }
        List<String> exposed = listening.entrySet().stream().flatMap(entry -> entry.getValue().stream()
                .filter(address -> !LOOPBACK.contains(address)).map(address -> entry.getKey() + " on " + address)).toList();
        SecurityFigures.record("listening", ("Listening: %d ports of the stack (the five services' API and management ports, "
                + "Kafka, RabbitMQ with epmd and its distribution port, Redis, Memcached, PostgreSQL), %d sockets, %d of them "
                + "beyond loopback").formatted(listening.size(), listening.values().stream().mapToInt(List::size).sum(), exposed.size()));

        assertThat(listening.keySet()).as("ports found listening").containsAll(ports.subList(0, 9));
        assertThat(exposed).isEmpty();
    }

    /** The status of a GET written byte for byte, so that no client library tidies the path first. */
    private static int rawGet(int port, String path, String key) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (key == null ? "" : "Authorization: Bearer " + key + "\r\n") + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    /** The median time from accepting a run of the other tenant to its run.completed arriving on its stream, over five runs. */
    private long medianStreamLatency() throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long started = System.nanoTime();
            HttpResponse<String> created = send(GLOBEX, "POST", "/v1/runs", "{\"agent\": \"calculator\", \"input\": {\"expressions\": [\"6*7\"]}}");
            String runId = EventCodec.mapper().readTree(created.body()).get("runId").asString();
            List<SseEvents.Event> events = SseEvents.read(URI.create(gateway() + "/v1/runs/" + runId + "/events"), GLOBEX, null,
                    Duration.ofSeconds(30));
            assertThat(events.getLast().name()).isEqualTo("run.completed");
            millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
        return millis.stream().sorted().toList().get(2);
    }

    /**
     * A run that stays in flight for as long as the test needs: its stream, with its run.accepted, as
     * the gateway writes it, and nothing else that would move it on or end it.
     */
    private static String openRun() {
        String runId = UUID.randomUUID().toString();
        Instant now = Instant.now();
        RunAccepted accepted = new RunAccepted(runId, "conv-" + runId, "calculator", Priority.INTERACTIVE, "corr-" + runId, now,
                now.plus(Duration.ofMinutes(10)));
        withRedis(redis -> {
            redis.xadd(RedisKeys.runEvents("acme", runId), Map.of(RunStream.EVENT_FIELD, RunAccepted.NAME,
                    RunStream.DATA_FIELD, RunEvents.encode(accepted)));
            return redis.expire(RedisKeys.runEvents("acme", runId), 600);
        });
        return runId;
    }

    private static double redisCommandsPerSecond() throws InterruptedException {
        long before = withRedis(redis -> commands(redis.info("stats")));
        long started = System.nanoTime();
        TimeUnit.SECONDS.sleep(5);
        long after = withRedis(redis -> commands(redis.info("stats")));
        return (after - before - 1) / ((System.nanoTime() - started) / 1e9);
    }

    private static <T> T withRedis(Function<RedisCommands<String, String>, T> commands) {
        RedisClient redis = RedisClient.create("redis://127.0.0.1:6379");
        try (StatefulRedisConnection<String, String> connection = redis.connect()) {
            return commands.apply(connection.sync());
        } finally {
            redis.shutdown();
        }
    }

    private static long commands(String info) {
        return info.lines().filter(line -> line.startsWith("total_commands_processed:"))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(':') + 1).strip())).findFirst().orElseThrow();
    }

    /** SSE streams the gateway holds open, from its metrics on the management port. */
    private double openStreams() throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Platform.managementPort(TestPlatform.GATEWAY_PORT)
                + "/actuator/prometheus")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith("switchboard_sse_streams_open"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst().orElseThrow();
    }

    private HttpResponse<String> send(String key, String method, String path) throws IOException, InterruptedException {
        return send(key, method, path, null);
    }

    private HttpResponse<String> send(String key, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Client client(String key) {
        return new Client(TestPlatform.GATEWAY_PORT, key);
    }

    private static String gateway() {
        return "http://127.0.0.1:" + TestPlatform.GATEWAY_PORT;
    }
}
