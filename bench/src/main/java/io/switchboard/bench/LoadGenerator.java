package io.switchboard.bench;

import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * Load against a running stack's REST API, always bounded in time. Open loop ({@code --rate}):
 * runs are started at a fixed arrival rate and each accept latency is measured from the moment the
 * request was due, so a stalled server cannot hide its backlog (no coordinated omission). Closed
 * loop ({@code --clients}): that many clients each start a run as soon as the previous was
 * accepted. Afterwards every accepted run is followed to its end; end-to-end latency and the time
 * spent in each hop come from the run's own timestamps (its event stream's entry ids are the
 * times each service wrote them). Prints a table. Every run gets expressions of its own, so the
 * tool-output cache answers none of them and every task really runs.
 *
 * <p>With {@code --sync} the gateway is the synchronous baseline ({@code sync-chain}), which answers
 * 200 with the finished run: accepted then means completed, and the accept latency is the whole run.
 *
 * <pre>java -jar bench/target/bench-exec.jar load [--rate=R | --clients=N] [--duration=20s] [--warmup=5s]
 *     [--expressions=3] [--gateway=http://127.0.0.1:8080] [--key=acme-dev-key] [--sync]</pre>
 */
public final class LoadGenerator {

    private static final Duration SETTLE = Duration.ofMinutes(2);
    /** Makes every run's expressions unique, across generators and across processes. */
    private static final AtomicLong UNIQUE = new AtomicLong(System.currentTimeMillis() % 1_000_000_000L * 1_000);

    private final Options options;
    private final AtomicLong runs = new AtomicLong();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(5)).build();

    LoadGenerator(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        System.out.print(table(args));
    }

    /** Runs the load the arguments describe and returns its table. */
    public static String table(String... args) throws InterruptedException {
        return new LoadGenerator(Options.parse(args)).run(() -> { }).table();
    }

    /** Warms up, loads, calls {@code loadEnded}, then follows the accepted runs to their end. */
    Report run(Runnable loadEnded) throws InterruptedException {
        load(options.warmup(), new Histogram(3), new ConcurrentLinkedQueue<>(), new AtomicLong());
        Histogram accept = new Histogram(3);
        ConcurrentLinkedQueue<JsonNode> accepted = new ConcurrentLinkedQueue<>();
        AtomicLong errors = new AtomicLong();
        long sent = load(options.duration(), accept, accepted, errors);
        loadEnded.run();
        return follow(sent, accept, List.copyOf(accepted), errors.get());
    }

    /** Runs started so far, warm-up included. */
    long started() {
        return runs.get();
    }

    /** Starts runs for {@code duration}; returns how many requests were sent. */
    private long load(Duration duration, Histogram accept, ConcurrentLinkedQueue<JsonNode> accepted, AtomicLong errors)
            throws InterruptedException {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        AtomicLong sent = new AtomicLong();
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            if (options.rate() > 0) {
                long interval = TimeUnit.SECONDS.toNanos(1) / options.rate();
                for (long due = start; due < end; due += interval) {
                    LockSupport.parkNanos(due - System.nanoTime());
                    long intended = due;
                    sent.incrementAndGet();
                    requests.execute(() -> submit(intended, accept, accepted, errors));
                }
            } else {
                for (int c = 0; c < options.clients(); c++) {
                    requests.execute(() -> {
                        while (System.nanoTime() < end) {
                            sent.incrementAndGet();
                            submit(System.nanoTime(), accept, accepted, errors);
                        }
                    });
                }
            }
        }
        return sent.get();
    }

    /** Accepted runs go to {@code accepted} as the gateway's answer: a run id, or with --sync the ended run. */
    private void submit(long intended, Histogram accept, ConcurrentLinkedQueue<JsonNode> accepted, AtomicLong errors) {
        runs.incrementAndGet();
        long unique = UNIQUE.incrementAndGet();
        String expressions = IntStream.range(0, options.expressions())
                .mapToObj(i -> "\"" + (i + 2) + "*" + (i + 3) + "+" + unique + "\"").collect(Collectors.joining(", "));
        try {
            HttpResponse<String> response = http.send(request("/v1/runs").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"agent\": \"calculator\", \"input\": {\"expressions\": [" + expressions + "]}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            synchronized (accept) {
                accept.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - intended));
            }
            if (response.statusCode() == (options.sync() ? 200 : 202)) {
                accepted.add(EventCodec.mapper().readTree(response.body()));
            } else {
                errors.incrementAndGet();
            }
        } catch (IOException e) {
            errors.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Follows every accepted run to its end and gathers its timings. */
    private Report follow(long sent, Histogram accept, List<JsonNode> answers, long errors) throws InterruptedException {
        Histogram endToEnd = new Histogram(3);
        Map<String, Histogram> hops = Map.of("gateway -> planner", new Histogram(3), "planner -> worker -> composer",
                new Histogram(3), "composer: last outcome -> completed", new Histogram(3));
        long deadline = System.nanoTime() + SETTLE.toNanos();
        long succeeded = 0;
        long cached = 0;
        long failed = 0;
        long unfinished = 0;
        Instant first = null;
        Instant last = null;
        for (JsonNode answer : answers) {
            String runId = answer.get("runId").asString();
            JsonNode run = options.sync() ? answer : awaitEnd(http, request("/v1/runs/" + runId), deadline);
            if (run == null) {
                unfinished++;
                continue;
            }
            if (!run.get("status").asString().equals("succeeded")) {
                failed++;
                continue;
            }
            succeeded++;
            Instant created = Instant.parse(run.get("createdAt").asString());
            Instant completed = Instant.parse(run.get("completedAt").asString());
            endToEnd.recordValue(Math.max(0, Duration.between(created, completed).toNanos() / 1_000));
            first = first == null || created.isBefore(first) ? created : first;
            last = last == null || completed.isAfter(last) ? completed : last;
            if (!options.sync()) {
                cached += recordHops(runId, hops);
            }
        }
        double seconds = first == null ? 0 : Duration.between(first, last).toMillis() / 1000.0;
        return new Report(options, sent, answers.size(), errors, accept, succeeded, failed, unfinished, cached,
                seconds == 0 ? 0 : succeeded / seconds, endToEnd, hops);
    }

    /** Asks for the run ({@code GET /v1/runs/{id}}) until it has ended, or the deadline passes: null then. */
    static JsonNode awaitEnd(HttpClient http, HttpRequest.Builder run, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(run.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode found = EventCodec.mapper().readTree(response.body());
                    String status = found.get("status").asString();
                    if (status.equals("succeeded") || status.equals("failed") || status.equals("cancelled")) {
                        return found;
                    }
                }
            } catch (IOException retried) {
                // asked again below
            }
            Thread.sleep(100);
        }
        return null;
    }

    /** The run's event stream, replayed: each entry id starts with the millisecond its service wrote it. */
    /** Records the run's hops; returns how many of its tool outcomes came from the tool-output cache. */
    private int recordHops(String runId, Map<String, Histogram> hops) throws InterruptedException {
        int cached = 0;
        try {
            HttpResponse<String> stream = http.send(request("/v1/runs/" + runId + "/events").build(),
                    HttpResponse.BodyHandlers.ofString());
            long accepted = -1;
            long planned = -1;
            long lastTool = -1;
            long completed = -1;
            String id = null;
            for (String line : stream.body().split("\n")) {
                if (line.startsWith("data:") && line.contains("\"cached\":true")) {
                    cached++;
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("event:") && id != null) {
                    long millis = Long.parseLong(id.substring(0, id.indexOf('-')));
                    switch (line.substring(6).trim()) {
                        case "run.accepted" -> accepted = millis;
                        case "step.planned" -> planned = planned < 0 ? millis : planned;
                        case "tool.succeeded", "tool.failed" -> lastTool = millis;
                        case "run.completed" -> completed = millis;
                        default -> { }
                    }
                }
            }
            if (accepted >= 0 && planned >= 0 && lastTool >= 0 && completed >= 0) {
                hops.get("gateway -> planner").recordValue(planned - accepted);
                hops.get("planner -> worker -> composer").recordValue(lastTool - planned);
                hops.get("composer: last outcome -> completed").recordValue(completed - lastTool);
            }
        } catch (IOException | RuntimeException skipped) {
            // a run whose history could not be read adds no hop figures
        }
        return cached;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(options.gateway() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + options.key());
    }

    /** What was measured, as a Markdown table. */
    record Report(Options options, long sent, long accepted, long errors, Histogram accept, long succeeded, long failed,
                  long unfinished, long cachedTools, double completedPerSecond, Histogram endToEnd, Map<String, Histogram> hops) {

        String table() {
            List<String> rows = new ArrayList<>();
            rows.add("| figure | value |");
            rows.add("|---|---|");
            rows.add("| load | " + (options.rate() > 0 ? "open loop, " + options.rate() + " runs/s offered"
                    : "closed loop, " + options.clients() + " clients") + ", " + options.duration().toSeconds() + " s after "
                    + options.warmup().toSeconds() + " s warm-up; calculator, " + options.expressions() + " expressions"
                    + (options.sync() ? "; synchronous baseline" : "") + " |");
            rows.add("| requests | " + sent + " sent, " + accepted + " accepted (" + (options.sync() ? 200 : 202) + "), "
                    + errors + " errors |");
            rows.add("| accepted runs/s | " + String.format("%.1f", acceptedPerSecond()) + " |");
            rows.add("| accept latency (ms) | " + percentiles(accept, 1_000.0) + " |");
            rows.add("| runs | " + succeeded + " succeeded, " + failed + " failed, " + unfinished + " not ended |");
            if (!options.sync()) {
                rows.add("| tool outcomes served from the tool-output cache | " + cachedTools + " |");
            }
            rows.add("| completed runs/s | " + String.format("%.1f", completedPerSecond) + " |");
            rows.add("| end-to-end latency (ms) | " + percentiles(endToEnd, 1_000.0) + " |");
            hops.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(hop ->
                    rows.add("| hop " + hop.getKey() + " (ms) | " + percentiles(hop.getValue(), 1.0) + " |"));
            return String.join("\n", rows) + "\n";
        }

        double acceptedPerSecond() {
            return accepted / (options.duration().toMillis() / 1000.0);
        }

        private static String percentiles(Histogram histogram, double unitsPerMilli) {
            if (histogram.getTotalCount() == 0) {
                return "no samples";
            }
            return String.format("p50 %.1f, p95 %.1f, p99 %.1f, max %.1f (%d samples)",
                    histogram.getValueAtPercentile(50) / unitsPerMilli, histogram.getValueAtPercentile(95) / unitsPerMilli,
                    histogram.getValueAtPercentile(99) / unitsPerMilli, histogram.getMaxValue() / unitsPerMilli,
                    histogram.getTotalCount());
        }
    }

    /** Command-line options; {@code --rate} (open loop) wins over {@code --clients} (closed loop). */
    record Options(int rate, int clients, Duration duration, Duration warmup, int expressions, String gateway, String key,
                   boolean sync) {

        static Options parse(String... args) {
            Map<String, String> given = Arrays.stream(args).filter(arg -> arg.startsWith("--"))
                    .map(arg -> arg.contains("=") ? arg : arg + "=true")
                    .collect(Collectors.toMap(arg -> arg.substring(2, arg.indexOf('=')), arg -> arg.substring(arg.indexOf('=') + 1)));
            return new Options(
                    Integer.parseInt(given.getOrDefault("rate", "0")),
                    Integer.parseInt(given.getOrDefault("clients", "16")),
                    duration(given.getOrDefault("duration", "20s")),
                    duration(given.getOrDefault("warmup", "5s")),
                    Integer.parseInt(given.getOrDefault("expressions", "3")),
                    given.getOrDefault("gateway", "http://127.0.0.1:8080"),
                    given.getOrDefault("key", "acme-dev-key"),
                    Boolean.parseBoolean(given.getOrDefault("sync", "false")));
        }

        static Duration duration(String value) {
            return value.endsWith("ms") ? Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)))
                    : Duration.ofSeconds(Long.parseLong(value.replace("s", "")));
        }
    }
}
