package io.switchboard.bench;

import io.switchboard.bench.stack.Platform;
import io.switchboard.events.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * The model-loop scenario: {@code assistant} runs against a model in this JVM ({@link ModelLoopServer})
 * that answers every call after {@value #MODEL_DELAY_MILLIS} ms, first with a {@code math_eval} tool
 * call and then with an answer, so each run goes model, tool, model. First runs paced at
 * {@value #PACED_RATE} runs/s on a warmed-up stack, then {@code burst} runs submitted at once, all
 * waiting on the model, and while at least half of them are in flight, probe runs at the paced rate
 * whose accept latency says whether runs waiting on the model slow down the door. Measures the
 * platform's own time around each model call (from the model's timestamps and the run's, the tool's
 * time taken out), accept latency, how the burst went and the memory a run in flight holds.
 */
final class ModelLoop {

    static final long MODEL_DELAY_MILLIS = 500;
    static final int PACED_RATE = 10;
    static final int PACED_RUNS = 100;
    private static final int WARM_UP_RATE = 20;
    private static final int WARM_UP_RUNS = 1_200; // 60 s: the C2 compiler has the hot paths before anything is measured
    private static final Duration SETTLE = Duration.ofMinutes(4);
    private static final Duration STALLED = Duration.ofSeconds(20);
    /** The tenant of the key the runs are sent with. */
    private static final String TENANT = "acme";
    private static final List<String> MEASURED = List.of("gateway-service", "planner-service", "worker-service",
            "composer-service", "operations-service", "redis");
    /** Makes every run's message unique, so the model tells the runs apart and every tool task really runs. */
    private static final AtomicLong UNIQUE = new AtomicLong(System.currentTimeMillis() % 1_000_000_000L * 1_000);

    private final ModelLoopServer model;
    private final int burst;
    private final String gateway = "http://127.0.0.1:8080";
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(10)).build();

    private ModelLoop(ModelLoopServer model, int burst) {
        this.model = model;
        this.burst = burst;
    }

    /** Restarts the services with the provider {@code default} pointed at a model of this JVM, runs the scenario, stops them. */
    static String run(Platform platform, int burst, List<String> jvmOptions) throws InterruptedException {
        try (ModelLoopServer model = ModelLoopServer.start(Duration.ofMillis(MODEL_DELAY_MILLIS))) {
            platform.stopAll();
            platform.startServices(8080, List.of("--switchboard.models.default.base-url=" + model.baseUrl(),
                    "--switchboard.models.default.api-key=x", "--switchboard.models.default.model=" + ModelLoopServer.MODEL,
                    // the provider's own limits are not what is measured here
                    "--switchboard.models.default.requests-per-minute=1000000",
                    "--switchboard.models.default.tokens-per-minute=1000000000"), 1, 1);
            try {
                return new ModelLoop(model, burst).measure(jvmOptions);
            } finally {
                platform.stopAll();
            }
        }
    }

    private String measure(List<String> jvmOptions) throws InterruptedException {
        Phase warmUp = paced(WARM_UP_RATE, WARM_UP_RUNS);
        awaitAnswers(WARM_UP_RUNS);
        progress("model loop, warm-up: " + WARM_UP_RUNS + " runs at " + WARM_UP_RATE + " runs/s, " + warmUp.accepted().size() + " accepted");

        Map<String, Long> tripsBefore = Ceiling.redisRoundTrips();
        Phase paced = paced(PACED_RATE, PACED_RUNS);
        awaitAnswers(WARM_UP_RUNS + PACED_RUNS);
        Followed pacedRuns = follow(paced);
        String pacedTrips = roundTripsPerRun(tripsBefore, Ceiling.redisRoundTrips(), PACED_RUNS);
        progress("model loop, paced: " + pacedRuns.succeeded() + " of " + PACED_RUNS + " runs succeeded");

        Thread.sleep(Duration.ofSeconds(2));
        Map<String, ProcessUsage.Usage> usageBefore = ProcessUsage.sample();
        long before = rss(usageBefore);
        int answeredBefore = model.answers();
        AtomicLong peakInFlight = new AtomicLong();
        AtomicLong rssAtPeak = new AtomicLong(before);
        ConcurrentLinkedQueue<Submitted> accepted = new ConcurrentLinkedQueue<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            long inFlight = accepted.size() - (model.answers() - answeredBefore);
            long rss = rss(ProcessUsage.sample());
            if (inFlight > peakInFlight.get()) {
                peakInFlight.set(inFlight);
                rssAtPeak.set(rss);
            }
        }, 0, 250, TimeUnit.MILLISECONDS);
        Phase burstPhase = burst(accepted);
        Probes probes = probeWhileInFlight(() -> accepted.size() - (model.answers() - answeredBefore), burst / 2);
        awaitAnswers(WARM_UP_RUNS + PACED_RUNS + burstPhase.accepted().size());
        sampler.shutdown();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
        String cpuPerRun = cpuPerRun(usageBefore, ProcessUsage.sample(), burst);
        Followed burstRuns = follow(burstPhase);
        progress("model loop, burst: " + burstRuns.succeeded() + " of " + burst + " runs succeeded");

        double took = Duration.between(burstPhase.began(), burstRuns.lastCompleted()).toMillis() / 1000.0;
        double floor = Math.ceil(burst / 200.0) * 2 * MODEL_DELAY_MILLIS / 1000.0;
        double perRun = peakInFlight.get() == 0 ? 0 : (rssAtPeak.get() - before) / 1024.0 / peakInFlight.get();
        List<String> rows = new ArrayList<>(List.of(
                "`assistant` runs against a model in the benchmark's JVM (loopback, streamed replies) that answers every call after "
                        + MODEL_DELAY_MILLIS + " ms: first a `math_eval` tool call of an expression of the run's own, then an answer, so "
                        + "each run goes model -> tool -> model. Services on `" + String.join(" ", jvmOptions) + "`, one worker (200 "
                        + "consumers, prefetch 1: at most 200 model calls at a time), after " + WARM_UP_RUNS + " unmeasured runs at "
                        + WARM_UP_RATE + " runs/s. Paced: " + PACED_RUNS + " runs at " + PACED_RATE + " runs/s (the gateway "
                        + "otherwise idle), accept latency from when each request was due. Burst: " + burst + " runs submitted at "
                        + "once, accept latency from the moment they all were. The platform's time around a model call comes from "
                        + "the model's clock (when a call arrived, when its reply was written) and the run's (`createdAt`, "
                        + "`completedAt`, the tool's `durationMs`), all on this machine.",
                "",
                "| figure, p50 / p99 where two | paced, " + PACED_RUNS + " runs at " + PACED_RATE + " runs/s | burst, " + burst + " runs at once |",
                "|---|---|---|",
                "| runs submitted, succeeded with an answer | " + PACED_RUNS + ", " + pacedRuns.summary() + " (" + paced.errorSummary()
                        + ") | " + burst + ", " + burstRuns.summary() + " (" + burstPhase.errorSummary() + ") |",
                "| accept latency (ms) | " + percentiles(paced.accept()) + " | submitted at once: " + percentiles(burstPhase.accept())
                        + "; " + probes.phase().accept().getTotalCount() + " `calculator` runs at " + PACED_RATE + " runs/s while "
                        + probes.fewestInFlight() + "-" + probes.mostInFlight() + " runs were in flight: "
                        + percentiles(probes.phase().accept()) + " (" + probes.phase().errorSummary() + ") |",
                "| run created -> first model call arrives (ms) | " + percentiles(pacedRuns.toFirstCall()) + " | "
                        + percentiles(burstRuns.toFirstCall()) + " |",
                "| model reply written -> next model call arrives, minus the tool's time (ms) | " + percentiles(pacedRuns.betweenCalls())
                        + " | " + percentiles(burstRuns.betweenCalls()) + " |",
                "| the tool's time, `math.eval` `durationMs` (ms) | " + percentiles(pacedRuns.tool()) + " | "
                        + percentiles(burstRuns.tool()) + " |",
                "| last model reply written -> run completed (ms) | " + percentiles(pacedRuns.afterAnswer()) + " | "
                        + percentiles(burstRuns.afterAnswer()) + " |",
                "| end-to-end, created -> completed (ms) | " + percentiles(pacedRuns.endToEnd()) + " | "
                        + percentiles(burstRuns.endToEnd()) + " |",
                "",
                "Burst: %d runs submitted in %.1f s (%s); the last completed %.1f s after the first was submitted (%.0f s is the floor: 2 calls of %d ms per run, 200 at a time); at most %d runs in flight and %d model calls at once. Resident memory of the five services and Redis: %.0f MiB before, %.0f MiB at the peak in flight, %.1f KiB per run in flight."
                        .formatted(burst, burstPhase.submittedSeconds(), burstPhase.errorSummary(), took, floor, MODEL_DELAY_MILLIS,
                                peakInFlight.get(), model.peakCalls(), before / 1048576.0, rssAtPeak.get() / 1048576.0, perRun),
                "",
                "CPU time per burst run, by process (ms; the probe runs included, the model's own in the benchmark's JVM not): "
                        + cpuPerRun + ".",
                "",
                "Redis round trips per paced run, by service, as each service's Redis client counted them from before the "
                        + "paced runs to their end (the gateway's include the benchmark's reads of each run): " + pacedTrips + ".",
                "",
                "Hop by hop: each run's events at the time Redis appended them to its stream (whole milliseconds), with the "
                        + "model's clock between them. The tool's own time is inside step.planned -> tool.succeeded.",
                "",
                pacedRuns.hops().table("paced", burstRuns.hops(), "burst")));
        return String.join("\n", rows) + "\n";
    }

    /** A run the gateway accepted: its unique message and its id. */
    record Submitted(String message, String runId) {
    }

    /** What a phase submitted: the accepted runs, the errors, accept latencies (µs) and when it began and ended. */
    record Phase(List<Submitted> accepted, Map<String, Long> errors, Histogram accept, Instant began, double submittedSeconds) {

        String errorSummary() {
            return errors.isEmpty() ? "no errors" : errors.entrySet().stream().map(error -> error.getValue() + " x " + error.getKey())
                    .collect(Collectors.joining(", "));
        }
    }

    /** Accept latencies of runs submitted while the burst was in flight, and how many were in flight meanwhile. */
    record Probes(Phase phase, long fewestInFlight, long mostInFlight) {
    }

    /**
     * {@code calculator} runs at {@value #PACED_RATE} runs/s, each accept latency from when it was due,
     * for as long as at least {@code atLeast} runs are in flight (at most a minute). They never reach
     * the model, so the burst's count of answers stays its own.
     */
    private Probes probeWhileInFlight(LongSupplier inFlight, long atLeast) {
        LongSummaryStatistics seen = new LongSummaryStatistics();
        Phase phase = paced(PACED_RATE, PACED_RATE * 60, () -> {
            long now = inFlight.getAsLong();
            if (now < atLeast) {
                return false;
            }
            seen.accept(now);
            return true;
        }, (due, accept, accepted, errors) -> submit("calculator", Map.of("expressions", List.of("6*7")), due, accept, accepted, errors));
        return seen.getCount() == 0 ? new Probes(phase, 0, 0) : new Probes(phase, seen.getMin(), seen.getMax());
    }

    /** Sends one run due at {@code due}, recording its accept latency and the run or the error. */
    private interface Sender {
        void send(long due, Histogram accept, ConcurrentLinkedQueue<Submitted> accepted, Map<String, Long> errors);
    }

    /** Runs at a fixed rate, each accept latency from when it was due. */
    private Phase paced(int rate, int runs) {
        return paced(rate, runs, () -> true, this::submit);
    }

    /** Up to {@code runs} runs at a fixed rate while {@code more} says so, each accept latency from when it was due. */
    private Phase paced(int rate, int runs, BooleanSupplier more, Sender sender) {
        ConcurrentLinkedQueue<Submitted> accepted = new ConcurrentLinkedQueue<>();
        Histogram accept = new Histogram(3);
        Map<String, Long> errors = new ConcurrentHashMap<>();
        Instant began = Instant.now();
        long start = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < runs; i++) {
                long due = start + i * interval;
                LockSupport.parkNanos(due - System.nanoTime());
                if (!more.getAsBoolean()) {
                    break;
                }
                requests.execute(() -> sender.send(due, accept, accepted, errors));
            }
        }
        return new Phase(List.copyOf(accepted), Map.copyOf(errors), accept, began, (System.nanoTime() - start) / 1e9);
    }

    /** {@code burst} runs at once, each on a virtual thread of its own, each accept latency from the start. */
    private Phase burst(ConcurrentLinkedQueue<Submitted> accepted) {
        Histogram accept = new Histogram(3);
        Map<String, Long> errors = new ConcurrentHashMap<>();
        Instant began = Instant.now();
        long start = System.nanoTime();
        try (ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < burst; i++) {
                requests.execute(() -> submit(start, accept, accepted, errors));
            }
        }
        return new Phase(List.copyOf(accepted), Map.copyOf(errors), accept, began, (System.nanoTime() - start) / 1e9);
    }

    /** An {@code assistant} run with a message of its own. */
    private void submit(long due, Histogram accept, ConcurrentLinkedQueue<Submitted> accepted, Map<String, Long> errors) {
        String message = "What is the value of model-loop expression " + UNIQUE.incrementAndGet() + "?";
        submit("assistant", Map.of("message", message), due, accept, accepted, errors);
    }

    /** Errors go to {@code errors} by reason: the status and the problem's title, or the exception. */
    private void submit(String agent, Map<String, Object> input, long due, Histogram accept, ConcurrentLinkedQueue<Submitted> accepted,
                        Map<String, Long> errors) {
        String message = String.valueOf(input.get("message"));
        try {
            HttpResponse<String> response = http.send(request("/v1/runs").timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(EventCodec.mapper().writeValueAsString(
                            Map.of("agent", agent, "input", input)))).build(),
                    HttpResponse.BodyHandlers.ofString());
            synchronized (accept) {
                accept.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - due));
            }
            if (response.statusCode() == 202) {
                accepted.add(new Submitted(message, EventCodec.mapper().readTree(response.body()).get("runId").asString()));
            } else {
                errors.merge("HTTP " + response.statusCode() + " " + EventCodec.mapper().readTree(response.body()).path("title").asString(""),
                        1L, Long::sum);
            }
        } catch (IOException | RuntimeException e) {
            errors.merge(e.getClass().getSimpleName(), 1L, Long::sum);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the model has written {@code answers} answers in all, or none came for {@link #STALLED}
     * (a run that failed never gets its answer), or the settling time is over.
     */
    private void awaitAnswers(int answers) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        int seen = model.answers();
        long progressed = System.nanoTime();
        while (model.answers() < answers && System.nanoTime() < deadline && System.nanoTime() - progressed < STALLED.toNanos()) {
            Thread.sleep(100);
            if (model.answers() > seen) {
                seen = model.answers();
                progressed = System.nanoTime();
            }
        }
        Thread.sleep(500); // the runs' last step after the answer
    }

    /** The runs of a phase read back at their end, with their timelines. */
    record Followed(long succeeded, long failed, long unfinished, Histogram toFirstCall, Histogram betweenCalls,
                    Histogram tool, Histogram afterAnswer, Histogram endToEnd, Instant lastCompleted, ModelRunHops hops) {

        String summary() {
            return succeeded + (failed + unfinished == 0 ? "" : " (" + failed + " failed, " + unfinished + " not ended)");
        }
    }

    private Followed follow(Phase phase) throws InterruptedException {
        ModelRunHops hops = new ModelRunHops();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        List<Histogram> histograms = List.of(new Histogram(3), new Histogram(3), new Histogram(3), new Histogram(3), new Histogram(3));
        long succeeded = 0;
        long failed = 0;
        long unfinished = 0;
        Instant last = phase.began();
        for (Submitted run : phase.accepted()) {
            JsonNode ended = LoadGenerator.awaitEnd(http, request("/v1/runs/" + run.runId()), deadline);
            if (ended == null) {
                unfinished++;
                continue;
            }
            JsonNode answer = ended.path("output").path("answer");
            if (!ended.get("status").asString().equals("succeeded") || answer.isMissingNode() || answer.isNull()) {
                failed++;
                continue;
            }
            succeeded++;
            Instant completed = Instant.parse(ended.get("completedAt").asString());
            last = completed.isAfter(last) ? completed : last;
            ModelLoopServer.Calls calls = model.calls(run.message());
            JsonNode tool = ended.path("toolCalls").path(0);
            if (calls == null || calls.secondReplied == null || tool.isMissingNode()) {
                continue;
            }
            Timeline timeline = new Timeline(Instant.parse(ended.get("createdAt").asString()), calls.firstArrived,
                    calls.firstReplied, tool.get("durationMs").asLong(), calls.secondArrived, calls.secondReplied, completed);
            histograms.get(0).recordValue(timeline.toFirstCall().toNanos() / 1_000);
            histograms.get(1).recordValue(timeline.betweenCalls().toNanos() / 1_000);
            histograms.get(2).recordValue(timeline.toolMillis() * 1_000);
            histograms.get(3).recordValue(timeline.afterAnswer().toNanos() / 1_000);
            histograms.get(4).recordValue(timeline.endToEnd().toNanos() / 1_000);
            hops.add(TENANT, run.runId(), calls);
        }
        return new Followed(succeeded, failed, unfinished, histograms.get(0), histograms.get(1), histograms.get(2),
                histograms.get(3), histograms.get(4), last, hops);
    }

    /**
     * One run's model calls and the run's own times. The platform's time before the first call, between
     * a reply and the next call with the tool's own time taken out, and after the answer; never below zero
     * (the clocks are one machine's, but the run's times are milliseconds).
     */
    record Timeline(Instant created, Instant firstArrived, Instant firstReplied, long toolMillis, Instant secondArrived,
                    Instant secondReplied, Instant completed) {

        Duration toFirstCall() {
            return positive(Duration.between(created, firstArrived));
        }

        Duration betweenCalls() {
            return positive(Duration.between(firstReplied, secondArrived).minusMillis(toolMillis));
        }

        Duration afterAnswer() {
            return positive(Duration.between(secondReplied, completed));
        }

        Duration endToEnd() {
            return positive(Duration.between(created, completed));
        }

        private static Duration positive(Duration duration) {
            return duration.isNegative() ? Duration.ZERO : duration;
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer acme-dev-key");
    }

    /** Each process's CPU time between two samples, per run, in milliseconds, and their total. */
    private static String cpuPerRun(Map<String, ProcessUsage.Usage> before, Map<String, ProcessUsage.Usage> after, int runs) {
        double total = 0;
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, ProcessUsage.Usage> process : after.entrySet()) {
            ProcessUsage.Usage then = before.get(process.getKey());
            if (then == null || runs == 0) {
                continue;
            }
            double millis = (process.getValue().cpuSeconds() - then.cpuSeconds()) * 1000 / runs;
            total += millis;
            parts.add("%s %.1f".formatted(process.getKey(), millis));
        }
        return String.join(", ", parts) + "; %.1f in all".formatted(total);
    }

    /** Each service's Redis round trips between two counts, per run, and their total. */
    private static String roundTripsPerRun(Map<String, Long> before, Map<String, Long> after, int runs) {
        Map<String, Double> byService = new TreeMap<>();
        after.forEach((command, calls) -> byService.merge(command.substring(0, command.indexOf(' ')),
                (double) (calls - before.getOrDefault(command, 0L)) / runs, Double::sum));
        return byService.entrySet().stream().map(service -> "%s %.2f".formatted(service.getKey(), service.getValue()))
                .collect(Collectors.joining(", ")) + "; %.2f in all".formatted(byService.values().stream().mapToDouble(Double::doubleValue).sum());
    }

    /** Resident memory of the services and Redis. */
    private static long rss(Map<String, ProcessUsage.Usage> usage) {
        return MEASURED.stream().mapToLong(name -> usage.containsKey(name) ? usage.get(name).rssBytes() : 0).sum();
    }

    private static String percentiles(Histogram micros) {
        return micros.getTotalCount() == 0 ? "no samples" : "%.1f / %.1f".formatted(Benchmark.millis(micros, 50, 1_000.0),
                Benchmark.millis(micros, 99, 1_000.0));
    }

    private static void progress(String line) {
        System.out.println("==> " + line);
    }
}
