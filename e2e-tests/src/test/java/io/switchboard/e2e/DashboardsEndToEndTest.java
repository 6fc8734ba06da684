package io.switchboard.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.bench.stack.Platform;
import io.switchboard.e2e.Observability.Alert;
import io.switchboard.e2e.Observability.Panel;
import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The dashboards and alerts against a real Prometheus: the platform runs, Debian's Prometheus scrapes
 * its five management ports and RabbitMQ's plugin every second and evaluates the project's rules
 * (their {@code for:} cut to 0 s so nothing waits minutes), traffic goes through the gateway for two
 * tenants, a tool keeps answering 503 until its task is dead-lettered, and the composer is stopped
 * while runs arrive, so that a backlog builds. Then every panel's query and every alert's expression
 * is asked of Prometheus' HTTP API: each answers, with data and without NaN; the lag panel saw the
 * backlog, and the lag and dead-letter alerts fired. It prints what each panel saw.
 */
class DashboardsEndToEndTest {

    private static final String ACME = "acme-dev-key";
    private static final String GLOBEX = "globex-dev-key";
    private static final String TINY = "tiny-dev-key";
    private static final String COMPOSER = "composer-service";
    /** What {@code $__rate_interval} becomes: longer than the time from the last runs to the queries. */
    private static final String RATE_INTERVAL = "2m";
    private static final int BACKLOG_RUNS = 50;

    private static Platform platform;
    private static HttpServer pages;
    private static Process prometheus;
    private static String prometheusUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws IOException {
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/unavailable", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        pages.start();
        // Consumer lag measured every second, as often as Prometheus scrapes it.
        platform = TestPlatform.create().startServices(TestPlatform.GATEWAY_PORT, List.of("--switchboard.metrics.lag-interval=1s"), 1, 1);
        prometheus = startPrometheus();
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.destroy();
            try {
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (platform != null) {
            platform.close();
        }
        pages.stop(0);
    }

    @Test
    void everyPanelAndAlertAnswersFromTheLiveStackAndTheLagAndDeadLetterAlertsFire() throws Exception {
        try {
            // every target scraped lately: on a busy machine a scrape may miss its 1 s timeout now and then
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> value(query("count(max_over_time(up[15s]) == 1)")) == 6);
        } catch (ConditionTimeoutException notScraped) {
            throw new AssertionError("Prometheus did not scrape the five services and RabbitMQ: " + targets(), notScraped);
        }

        // Runs of both tenants, a research run whose page answers 503 until its task is dead-lettered, and a tenant
        // over its rate limit.
        Client acme = new Client(TestPlatform.GATEWAY_PORT, ACME);
        Client globex = new Client(TestPlatform.GATEWAY_PORT, GLOBEX);
        List<String> acmeRuns = new ArrayList<>(calculatorRuns(acme, "acme", 10));
        List<String> globexRuns = new ArrayList<>(calculatorRuns(globex, "globex", 10));
        String failing = acme.submit("""
                {"agent": "research", "input": {"urls": ["http://127.0.0.1:%d/unavailable"], "question": "Is it up?"}}"""
                .formatted(pages.getAddress().getPort()), Duration.ofSeconds(30));
        int refused = overTheRateLimit();
        assertThat(refused).as("tiny's runs refused with 429").isPositive();
        assertThat(acme.awaitTerminal(acmeRuns, Duration.ofSeconds(60))).hasSize(10);

        // A backlog: the composer stopped (gracefully, so its consumers leave their groups) while runs arrive.
        ProcessHandle.of(platform.pid(COMPOSER)).ifPresent(ProcessHandle::destroy);
        await("the composer stopped").atMost(Duration.ofSeconds(40)).until(() -> !platform.alive(COMPOSER));
        for (int i = 0; i < BACKLOG_RUNS; i++) {
            (i % 2 == 0 ? acmeRuns : globexRuns).add((i % 2 == 0 ? acme : globex).submit(calculator("backlog", i), Duration.ofSeconds(30)));
        }
        Panel lagPanel = Observability.panels().stream().filter(panel -> panel.title().startsWith("Consumer lag")).findFirst().orElseThrow();
        double backlog = await("the lag panel showing the backlog").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> max(query(lagPanel.query(RATE_INTERVAL))), lag -> lag > 100);
        Set<String> firingDuringBacklog = await("the lag and dead-letter alerts firing").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1)).until(this::firing,
                        names -> names.containsAll(List.of("SwitchboardConsumerLagGrowing", "SwitchboardDeadLettersArchived")));

        platform.restart(COMPOSER);
        Map<String, JsonNode> ended = acme.awaitTerminal(acmeRuns, Duration.ofSeconds(90));
        ended.putAll(globex.awaitTerminal(globexRuns, Duration.ofSeconds(30)));
        assertThat(acme.awaitTerminal(List.of(failing), Duration.ofSeconds(30)).get(failing).get("status").asString())
                .isIn(Client.TERMINAL);
        await("the scrapes after the backlog drained").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> max(query(lagPanel.query(RATE_INTERVAL))) == 0);
        // The restarted composer counts runs from zero and may end the whole backlog before its first scrape:
        // a counter first seen at its final value has no rate. Runs it ends once it is scraped give it one.
        await("the restarted composer's run counters scraped").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !query("switchboard_runs_completed_total").isEmpty());
        List<String> afterwards = calculatorRuns(acme, "afterwards", 3);
        ended.putAll(acme.awaitTerminal(afterwards, Duration.ofSeconds(30)));
        await("runs completed per second after the restart").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> value(query("sum(rate(switchboard_runs_completed_total[" + RATE_INTERVAL + "]))")) > 0);

        // Every panel and every alert, as Grafana and the rule evaluator ask them.
        Map<String, String> table = new LinkedHashMap<>();
        Map<String, String> problems = new LinkedHashMap<>();
        for (Panel panel : Observability.panels()) {
            String label = panel.dashboard() + " / " + panel.title();
            JsonNode result = query(panel.query(RATE_INTERVAL));
            String seen = describe(result);
            table.merge(label, seen, (first, second) -> first + "; " + second);
            if (result.isEmpty()) {
                problems.put(label, "no data: " + panel.query(RATE_INTERVAL));
            } else if (seen.contains("NaN")) {
                problems.put(label, "NaN: " + seen);
            }
        }
        table.put("lag and retries / Consumer lag by group and topic (during the backlog, max)", format(backlog));
        for (Alert alert : Observability.alerts()) {
            JsonNode result = query(alert.expr());
            String state = firingDuringBacklog.contains(alert.name()) ? "fired during the backlog" : "quiet during the backlog";
            table.put("alert " + alert.name(), state + "; now " + (result.isEmpty() ? "not firing" : describe(result)));
            if (describe(result).contains("NaN")) {
                problems.put("alert " + alert.name(), "NaN: " + describe(result));
            }
        }
        System.out.println("| panel | value |\n|---|---|\n" + table.entrySet().stream()
                .map(row -> "| " + row.getKey() + " | " + row.getValue() + " |").collect(Collectors.joining("\n")));

        assertThat(problems).as("panels and alerts without data or with NaN (rate interval %s, every tenant)", RATE_INTERVAL).isEmpty();
        assertThat(backlog).isGreaterThan(100);
        assertThat(firingDuringBacklog).contains("SwitchboardConsumerLagGrowing", "SwitchboardDeadLettersArchived");
        assertThat(acmeRuns).hasSize(10 + BACKLOG_RUNS / 2).doesNotContainNull();
        assertThat(globexRuns).hasSize(10 + BACKLOG_RUNS / 2).doesNotContainNull();
        assertThat(ended).hasSize(20 + BACKLOG_RUNS + afterwards.size());
        assertThat(ended.values()).extracting(run -> run.get("status").asString()).containsOnly("succeeded");
    }

    // ------------------------------------------------------------------------------------------

    private static List<String> calculatorRuns(Client client, String tenant, int count) {
        return IntStream.range(0, count).mapToObj(i -> client.submit(calculator(tenant, i), Duration.ofSeconds(30))).toList();
    }

    /** A calculator run of three expressions of its own, which the tool-output cache has never seen. */
    private static String calculator(String prefix, int i) {
        long seed = System.nanoTime() % 100_000;
        return """
                {"agent": "calculator", "input": {"expressions": ["%1$d+%2$d", "%1$d*%2$d", "%1$d-%2$d"]}}"""
                .formatted(seed, prefix.length() * 1000 + i);
    }

    /** tiny may create 5 runs in 10 s: 8 at once get some 429s. */
    private int overTheRateLimit() throws IOException, InterruptedException {
        int refused = 0;
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + TestPlatform.GATEWAY_PORT + "/v1/runs"))
                    .header("Authorization", "Bearer " + TINY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(calculator("tiny", i))).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 429) {
                refused++;
            }
        }
        return refused;
    }

    /** Each scrape target's health and last error. */
    private String targets() throws IOException, InterruptedException {
        List<String> targets = new ArrayList<>();
        get("/api/v1/targets").get("data").get("activeTargets").forEach(target -> targets.add(target.get("scrapeUrl").asString()
                + " " + target.get("health").asString() + " " + target.path("lastError").asString("")));
        return String.join("; ", targets);
    }

    /** Names of the alerts Prometheus has firing now. */
    private Set<String> firing() throws IOException, InterruptedException {
        Set<String> names = new TreeSet<>();
        get("/api/v1/alerts").get("data").get("alerts").forEach(alert -> {
            if (alert.get("state").asString().equals("firing")) {
                names.add(alert.get("labels").get("alertname").asString());
            }
        });
        return names;
    }

    /** The instant vector a query answers now; the test fails if Prometheus refuses the query. */
    private JsonNode query(String promql) throws IOException, InterruptedException {
        JsonNode answer = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(answer.get("status").asString()).as("%s: %s", promql, answer).isEqualTo("success");
        JsonNode data = answer.get("data");
        return data.get("resultType").asString().equals("scalar") ? EventCodec.mapper().createArrayNode()
                .add(EventCodec.mapper().createObjectNode().set("value", data.get("result"))) : data.get("result");
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return EventCodec.mapper().readTree(response.body());
    }

    private static double value(JsonNode result) {
        return result.isEmpty() ? Double.NaN : Double.parseDouble(result.get(0).get("value").get(1).asString());
    }

    private static double max(JsonNode result) {
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode series : result) {
            max = Math.max(max, Double.parseDouble(series.get("value").get(1).asString()));
        }
        return max;
    }

    /** A result as a table cell: each series' labels and value, at most six. */
    private static String describe(JsonNode result) {
        List<String> cells = new ArrayList<>();
        for (JsonNode series : result) {
            List<String> labels = new ArrayList<>();
            series.path("metric").properties().forEach(label -> {
                if (!label.getKey().equals("__name__")) {
                    labels.add(label.getValue().asString());
                }
            });
            String value = series.get("value").get(1).asString();
            cells.add((labels.isEmpty() ? "" : String.join(" ", labels) + " = ") + format(value));
        }
        String shown = cells.stream().limit(6).collect(Collectors.joining(", "));
        return cells.size() > 6 ? shown + " (+" + (cells.size() - 6) + " more)" : shown;
    }

    private static String format(String value) {
        try {
            return format(Double.parseDouble(value));
        } catch (NumberFormatException notANumber) {
            return value;
        }
    }

    private static String format(double value) {
        return Double.isNaN(value) ? "NaN" : value == Math.rint(value) ? String.valueOf((long) value) : "%.4g".formatted(value);
    }

    // ------------------------------------------------------------------------------------------

    /**
     * Prometheus on a free loopback port, scraping every second the management ports of the services
     * (API port + 100) and RabbitMQ's plugin, evaluating every second the project's rules with their
     * {@code for:} cut to 0 s (the expressions are the files' own).
     */
    private static Process startPrometheus() throws IOException {
        Path work = Files.createDirectories(Path.of("target", "e2e", "prometheus").toAbsolutePath());
        Path rules = Files.createDirectories(work.resolve("rules"));
        for (Path file : Observability.ruleFiles()) {
            Files.writeString(rules.resolve(file.getFileName()),
                    Observability.read(file).replaceAll("(?m)^(\\s+)for: \\S+$", "$1for: 0s"));
        }
        String services = IntStream.range(0, Platform.SERVICES.size())
                .mapToObj(i -> "          - 127.0.0.1:" + Platform.managementPort(TestPlatform.GATEWAY_PORT + i))
                .collect(Collectors.joining("\n"));
        Files.writeString(work.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  evaluation_interval: 1s
                rule_files:
                  - rules/*.rules.yml
                scrape_configs:
                  - job_name: switchboard
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets:
                %s
                  - job_name: rabbitmq
                    metrics_path: /metrics/per-object
                    static_configs:
                      - targets:
                          - 127.0.0.1:15692
                """.formatted(services));
        Path data = work.resolve("data");
        if (Files.exists(data)) {
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
        int port = freePort();
        prometheusUrl = "http://127.0.0.1:" + port;
        Process process = new ProcessBuilder(Observability.executable("prometheus"),
                "--config.file=" + work.resolve("prometheus.yml"), "--storage.tsdb.path=" + data,
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        HttpClient client = HttpClient.newHttpClient();
        await("Prometheus ready on " + prometheusUrl + " (see " + work.resolve("prometheus.log") + ")")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("prometheus exited; see " + work.resolve("prometheus.log"));
                    }
                    return client.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/-/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
        return process;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
