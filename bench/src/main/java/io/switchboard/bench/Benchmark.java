package io.switchboard.bench;

import io.switchboard.bench.stack.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The platform benchmark ({@code ./switchboard bench}), one bounded run on this machine that prints
 * Markdown: the brokers' raw limits (services stopped); the highest open-loop rate of calculator runs
 * the platform sustains with 0 errors (scenario 1) and the latency per hop at half of it (2); slow
 * tools of 200 ms and 2 s, platform against the synchronous baseline, as offered load rises past
 * capacity (3); resident memory and CPU per 1,000 runs (4); and the broker-bound ceiling, from the
 * brokers' limits and the operations a run costs each of them, counted during scenario 1; 1, 2 and 3
 * planners and workers at the first rate one did not sustain (6); scenario 1's ramp and cost again
 * with the five services in one JVM (5); and the model loop
 * ({@link ModelLoop}): model agents' runs against a model of this JVM that answers after 500 ms, the
 * platform's time around each model call and 2,000 runs waiting on the model at once.
 * {@code --only=model} runs the model loop alone, {@code --model-runs=0} leaves it out; {@code --only=ramp}
 * runs scenarios 1, 2 and 4 alone (no broker limits, no slow tools, no one process, no model loop), to
 * compare a change; {@code --only=single} runs scenario 5 alone.
 *
 * <p>The brokers must be up ({@code ./switchboard infra}) and ports 8080-8083 and 8090-8093 free: the
 * benchmark starts the services and the synchronous baseline itself, as its own processes with the JVM
 * options it wants ({@link Platform}), and stops them when it ends.
 *
 * <pre>java -jar bench/target/bench-exec.jar benchmark [--repo=.] [--rates=20,30,40,...] [--slow-rates=10,25,50,100]
 *     [--step=15s] [--jvm-options="-Xmx384m -XX:+UseSerialGC"] [--single-jvm-options="-Xmx1g -XX:+UseSerialGC"]
 *     [--model-runs=2000] [--only=model|ramp|single]
 *     [--out=.switchboard/bench/report.md]</pre>
 * {@code load ...} runs the load generator alone, {@code brokers} the broker limits alone.
 */
public final class Benchmark {

    /** A rate is sustained when all its runs succeed, at least this share of the offered rate... */
    private static final double SUSTAINED_SHARE = 0.95;
    /** ...and without a backlog: 99% of runs end within this. */
    private static final long SUSTAINED_P99_MILLIS = 1_000;

    private static final Duration WARM_UP = Duration.ofSeconds(90);
    private static final Duration SHORT_WARM_UP = Duration.ofSeconds(30);

    private final Settings settings;
    private final StringBuilder report = new StringBuilder();

    private Benchmark(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "benchmark" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (command) {
            case "load" -> LoadGenerator.main(rest);
            case "brokers" -> BrokerLimits.main(rest);
            case "store" -> StoreBenchmark.main(rest);
            case "benchmark" -> new Benchmark(Settings.parse(rest)).run();
            default -> {
                System.err.println("usage: bench-exec.jar benchmark [options] | load [options] | brokers [options] | store [--runs=100000 --other-runs=10000]");
                System.exit(2);
            }
        }
    }

    private void run() throws Exception {
        Instant began = Instant.now();
        section("# Switchboard benchmark, " + began.toString().substring(0, 16).replace('T', ' ') + " UTC\n\n"
                + "Command: `" + settings.command() + "`\n\n" + Machine.describe());

        try (Platform platform = Platform.create(settings.repo(), settings.repo().resolve(".switchboard/bench"),
                settings.jvmOptions())) {
            if (settings.only().equals("ramp")) {
                scenarios(null, platform);
            } else if (settings.only().isEmpty()) {
                BrokerLimits.Result limits = BrokerLimits.measure(settings.tools(), BrokerLimits.Settings.defaults());
                section("## Broker limits (services stopped)\n\n" + limits.table());
                scenarios(limits, platform);
            }
            if (settings.only().isEmpty() || settings.only().equals("single")) {
                platform.stopAll(); // what the scenarios left running when no rate was sustained
                singleProcess(platform);
            }
            if (settings.modelRuns() > 0 && (settings.only().isEmpty() || settings.only().equals("model"))) {
                section("## Model loop\n\n" + ModelLoop.run(platform, settings.modelRuns(), settings.jvmOptions()));
            }
        }
        section("Finished in " + Duration.between(began, Instant.now()).toSeconds() + " s.");

        Files.createDirectories(settings.out().getParent());
        Files.writeString(settings.out(), report);
        System.out.println("\n==> the report is in " + settings.out());
    }

    /**
     * Scenarios 1 to 4 and the ceiling, on services and a baseline this benchmark starts and stops; without
     * {@code limits}, scenarios 1, 2 and 4 only.
     */
    private void scenarios(BrokerLimits.Result limits, Platform platform) throws InterruptedException {
        platform.startServices(8080, List.of(), 1, 1);
        Thread.sleep(Duration.ofSeconds(10)); // idle: start-up's work done, nothing else yet
        Map<String, ProcessUsage.Usage> idle = ProcessUsage.sample();
        warmUp(25, WARM_UP, false);

        List<Step> ramp = ramp("scenario 1");
        Step best = highestSustained(ramp);
        section("## Scenario 1: maximum sustained throughput\n\nServices on `" + String.join(" ", settings.jvmOptions()) + "`, after " + WARM_UP.toSeconds()
                + " s of unmeasured load at 25 runs/s. Calculator agent, 3 expressions (3 parallel tool tasks), open loop, " + settings.step().toSeconds() + " s per rate after a " + settings.warmup().toSeconds()
                + " s warm-up. Sustained: every run succeeded, completed runs/s >= " + (int) (SUSTAINED_SHARE * 100)
                + "% of the offered rate and end-to-end p99 <= " + SUSTAINED_P99_MILLIS + " ms.\n\n" + rampTable(ramp));
        if (best == null) {
            Step lowest = ramp.getFirst();
            section("No rate was sustained; the lowest rate's table:\n\n" + lowest.report().table());
            section("## Scenario 4: cost\n\nAt the lowest rate, which was not sustained: runs started count, whether or "
                    + "not they ended within the step.\n\n" + costTable(idle, lowest));
            section("## Redis round trips per run, by service\n\nAt the lowest rate, which was not sustained.\n\n" + redisTable(lowest));
            return;
        }
        section("Highest sustained rate, " + best.rate() + " runs/s:\n\n" + best.report().table());

        Step half = step(Math.max(1, best.rate() / 2), settings.step().multipliedBy(2), false);
        section("## Scenario 2: latency at half of the maximum\n\n" + half.report().table());

        section("## Scenario 4: cost\n\n" + costTable(idle, best));
        section("## Redis round trips per run, by service\n\n" + redisTable(best));
        if (limits == null) {
            return;
        }
        section("## Broker-bound ceiling\n\n" + Ceiling.of(limits, best).table());
        platform.stopAll();
        instances(platform, ramp.getLast().rate());

        String slow = "## Scenario 3: slow tools, platform and synchronous baseline\n\n"
                + "Each tool call sleeps the given time before it runs. Platform: one worker, 200 consumers on virtual "
                + "threads, prefetch 1. Baseline (`sync-chain`): gateway -> planner -> worker -> composer as blocking "
                + "HTTP calls, Tomcat at most 200 threads per service, the planner calls the worker's tasks on a pool of "
                + "200 threads, 30 s client timeout. " + settings.step().toSeconds() + " s per rate.\n\n";
        List<Step> slowSteps = new ArrayList<>();
        for (String latency : List.of("200ms", "2s")) {
            platform.startServices(8080, List.of("--switchboard.tools.simulated-latency=" + latency), 1, 1);
            slowSteps.addAll(slowSteps("platform, " + latency, false));
            platform.stopAll();
        }
        for (String latency : List.of("200ms", "2s")) {
            platform.startBaseline(8090, List.of("--chain.tool-latency=" + latency));
            slowSteps.addAll(slowSteps("baseline, " + latency, true));
            platform.stopAll();
        }
        section(slow + slowTable(slowSteps));
    }

    /** Scenario 1's rates, one after another, up to the first that is not sustained. */
    private List<Step> ramp(String label) throws InterruptedException {
        List<Step> ramp = new ArrayList<>();
        for (int rate : settings.rates()) {
            Step step = step(rate, settings.step(), false);
            ramp.add(step);
            progress(label + ", " + rate + " runs/s: " + step.summary());
            if (!step.sustained()) {
                break;
            }
        }
        return ramp;
    }

    private static Step highestSustained(List<Step> ramp) {
        return ramp.stream().filter(Step::sustained).reduce((lower, higher) -> higher).orElse(null);
    }

    /**
     * Scenario 5: the five services in one JVM ({@code single-process}), scenario 1's warm-up and
     * ramp, and what the one process cost at its highest sustained rate.
     */
    private void singleProcess(Platform platform) throws InterruptedException {
        platform.startSingleProcess(8080, settings.singleJvmOptions(), List.of());
        Thread.sleep(Duration.ofSeconds(10));
        Map<String, ProcessUsage.Usage> idle = ProcessUsage.sample();
        warmUp(25, WARM_UP, false);
        List<Step> ramp = ramp("scenario 5");
        Step best = highestSustained(ramp);
        platform.stopAll();
        section("## Scenario 5: the services in one process\n\nThe five services in one JVM (`single-process`, as `./switchboard up --single` "
                + "runs them) on `" + String.join(" ", settings.singleJvmOptions()) + "`, after " + WARM_UP.toSeconds()
                + " s of unmeasured load at 25 runs/s; the ramp of scenario 1.\n\n" + rampTable(ramp)
                + (best == null ? "\nNo rate was sustained.\n" : "\n" + costTable(idle, best)));
    }

    /**
     * Scenario 6: 1, 2 and 3 processes each of the planner and the worker against the same brokers,
     * at the first rate scenario 1 did not sustain (its last, if it sustained all), after a short
     * warm-up each: what more instances bring on this machine.
     */
    private void instances(Platform platform, int rate) throws InterruptedException {
        List<String> rows = new ArrayList<>(List.of(
                "| planners and workers | offered runs/s | completed runs/s | errors | end-to-end p50 / p99 (ms) | CPU ms per run, every process |",
                "|---|---|---|---|---|---|"));
        for (int instances = 1; instances <= 3; instances++) {
            platform.startServices(8080, List.of(), instances, instances, 1);
            warmUp(25, SHORT_WARM_UP, false);
            Step step = step(rate, settings.step(), false);
            platform.stopAll();
            progress("scenario 6, " + instances + " planner(s) and worker(s): " + step.summary());
            LoadGenerator.Report r = step.report();
            rows.add("| %d | %d | %.1f | %d | %.0f / %.0f | %.1f |".formatted(instances, rate, r.completedPerSecond(), r.errors(),
                    millis(r.endToEnd(), 50, 1_000.0), millis(r.endToEnd(), 99, 1_000.0),
                    step.cpu().values().stream().mapToDouble(Double::doubleValue).sum() * 1_000 / step.started()));
        }
        section("## Scenario 6: more planners and workers\n\nGateway, composer and operations service once each; the planner and the "
                + "worker 1, 2 and 3 times, as processes of their own against the same brokers, at " + rate
                + " runs/s (the first rate scenario 1 did not sustain), " + settings.step().toSeconds() + " s after "
                + SHORT_WARM_UP.toSeconds() + " s at 25 runs/s.\n\n" + String.join("\n", rows) + "\n");
    }

    /** Scenario 3's rates against the system just started, after a short warm-up. */
    private List<Step> slowSteps(String label, boolean sync) throws InterruptedException {
        warmUp(10, SHORT_WARM_UP, sync);
        List<Step> steps = new ArrayList<>();
        for (int rate : settings.slowRates()) {
            Step step = step(rate, settings.step(), sync).labelled(label);
            steps.add(step);
            progress("scenario 3, " + label + ", " + rate + " runs/s: " + step.summary());
        }
        return steps;
    }

    /** Load that is not measured, so that the JIT has compiled the hot paths before anything is. */
    private static void warmUp(int rate, Duration duration, boolean sync) throws InterruptedException {
        LoadGenerator.Report report = new LoadGenerator(load(rate, duration, Duration.ZERO, sync)).run(() -> { });
        progress("warm-up, " + rate + " runs/s for " + duration.toSeconds() + " s: " + report.succeeded() + " runs succeeded");
    }

    /** One open-loop step, with the CPU, memory and broker work it caused. */
    private Step step(int rate, Duration duration, boolean sync) throws InterruptedException {
        LoadGenerator generator = new LoadGenerator(load(rate, duration, settings.warmup(), sync));
        Sample before = Sample.take(sync);
        Map<String, Long> peak = new ConcurrentHashMap<>();
        AtomicReference<Sample> after = new AtomicReference<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> ProcessUsage.sample().forEach((name, usage) -> peak.merge(name, usage.rssBytes(), Math::max)),
                0, 1, TimeUnit.SECONDS);
        LoadGenerator.Report report = generator.run(() -> {
            sampler.shutdown();
            pause(Duration.ofSeconds(1)); // the runs still in flight
            after.set(Sample.take(sync));
        });
        Map<String, Double> cpu = new LinkedHashMap<>();
        after.get().usage().forEach((name, usage) -> {
            ProcessUsage.Usage earlier = before.usage().get(name);
            if (earlier != null) {
                cpu.put(name, usage.cpuSeconds() - earlier.cpuSeconds());
            }
        });
        Map<String, Long> redisRoundTrips = new TreeMap<>();
        after.get().redisRoundTrips().forEach((command, calls) ->
                redisRoundTrips.put(command, calls - before.redisRoundTrips().getOrDefault(command, 0L)));
        return new Step("", rate, report, generator.started(), cpu, peak, after.get().counters().minus(before.counters()),
                redisRoundTrips);
    }

    /** Open-loop load; with {@code sync} against the synchronous baseline's gateway. */
    private static LoadGenerator.Options load(int rate, Duration duration, Duration warmup, boolean sync) {
        List<String> args = new ArrayList<>(List.of("--rate=" + rate, "--duration=" + duration.toSeconds() + "s",
                "--warmup=" + warmup.toSeconds() + "s"));
        if (sync) {
            args.addAll(List.of("--sync", "--gateway=http://127.0.0.1:8090"));
        }
        return LoadGenerator.Options.parse(args.toArray(String[]::new));
    }

    /** The processes' usage, the brokers' counters and the platform's Redis round trips at one moment. */
    private record Sample(Map<String, ProcessUsage.Usage> usage, BrokerCounters.Snapshot counters,
                          Map<String, Long> redisRoundTrips) {

        static Sample take(boolean sync) {
            return new Sample(ProcessUsage.sample(), BrokerCounters.take(), sync ? Map.of() : Ceiling.redisRoundTrips());
        }
    }

    private static String rampTable(List<Step> steps) {
        List<String> rows = new ArrayList<>(List.of(
                "| offered runs/s | accepted | errors | succeeded | failed | completed runs/s | accept p99 (ms) | end-to-end p50 / p95 / p99 (ms) | sustained |",
                "|---|---|---|---|---|---|---|---|---|"));
        for (Step step : steps) {
            LoadGenerator.Report r = step.report();
            rows.add("| %d | %d | %d | %d | %d | %.1f | %.1f | %s | %s |".formatted(step.rate(), r.accepted(), r.errors(),
                    r.succeeded(), r.failed() + r.unfinished(), r.completedPerSecond(), millis(r.accept(), 99, 1_000.0),
                    latencies(r), step.sustained() ? "yes" : "no"));
        }
        return String.join("\n", rows) + "\n";
    }

    private static String slowTable(List<Step> steps) {
        List<String> rows = new ArrayList<>(List.of(
                "| system, tool latency | offered runs/s | accepted runs/s | accept p99 (ms) | completed runs/s | succeeded | failed or not ended | errors and timeouts | end-to-end p50 / p99 (ms) |",
                "|---|---|---|---|---|---|---|---|---|"));
        for (Step step : steps) {
            LoadGenerator.Report r = step.report();
            rows.add("| %s | %d | %.1f | %.1f | %.1f | %d | %d | %d | %.0f / %.0f |".formatted(step.label(), step.rate(),
                    r.acceptedPerSecond(), millis(r.accept(), 99, 1_000.0), r.completedPerSecond(), r.succeeded(),
                    r.failed() + r.unfinished(), r.errors(), millis(r.endToEnd(), 50, 1_000.0), millis(r.endToEnd(), 99, 1_000.0)));
        }
        return String.join("\n", rows) + "\n";
    }

    private static String costTable(Map<String, ProcessUsage.Usage> idle, Step best) {
        List<String> rows = new ArrayList<>(List.of(
                "Resident memory at idle (10 s after start) and its peak during the step at "
                        + best.rate() + " runs/s; CPU seconds over that step (warm-up included) per 1,000 runs started ("
                        + best.started() + " runs).",
                "",
                "| process | RSS idle (MiB) | RSS under load (MiB) | CPU s per 1,000 runs |",
                "|---|---|---|---|"));
        double total = 0;
        for (Map.Entry<String, ProcessUsage.Usage> process : idle.entrySet()) {
            double cpu = best.cpu().getOrDefault(process.getKey(), 0.0) * 1_000 / best.started();
            total += cpu;
            rows.add("| %s | %.0f | %.0f | %.2f |".formatted(process.getKey(), process.getValue().rssBytes() / 1048576.0,
                    best.peakRss().getOrDefault(process.getKey(), 0L) / 1048576.0, cpu));
        }
        rows.add("| all | %.0f | %.0f | %.2f |".formatted(idle.values().stream().mapToLong(ProcessUsage.Usage::rssBytes).sum() / 1048576.0,
                best.peakRss().values().stream().mapToLong(Long::longValue).sum() / 1048576.0, total));
        return String.join("\n", rows) + "\n";
    }

    private static String redisTable(Step best) {
        List<String> rows = new ArrayList<>(List.of("During the step at " + best.rate() + " runs/s, as each "
                + "service's Redis client counted them.", "", "| service | round trips per run | by command |", "|---|---|---|"));
        Map<String, Map<String, Long>> byService = new TreeMap<>();
        best.redisRoundTrips().forEach((key, calls) -> byService.computeIfAbsent(key.substring(0, key.indexOf(' ')),
                service -> new TreeMap<>()).put(key.substring(key.indexOf(' ') + 1), calls));
        double total = 0;
        for (Map.Entry<String, Map<String, Long>> service : byService.entrySet()) {
            double perRun = service.getValue().values().stream().mapToLong(Long::longValue).sum() / (double) best.started();
            total += perRun;
            rows.add("| %s | %.2f | %s |".formatted(service.getKey(), perRun, service.getValue().entrySet().stream()
                    .filter(command -> command.getValue() > 0)
                    .map(command -> "%s %.2f".formatted(command.getKey(), command.getValue() / (double) best.started()))
                    .collect(Collectors.joining(", "))));
        }
        rows.add("| all | %.2f | |".formatted(total));
        return String.join("\n", rows) + "\n";
    }

    private static String latencies(LoadGenerator.Report report) {
        return "%.1f / %.1f / %.1f".formatted(millis(report.endToEnd(), 50, 1_000.0), millis(report.endToEnd(), 95, 1_000.0),
                millis(report.endToEnd(), 99, 1_000.0));
    }

    static double millis(org.HdrHistogram.Histogram histogram, double percentile, double unitsPerMilli) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile) / unitsPerMilli;
    }

    private void section(String text) {
        report.append(text).append("\n\n");
        System.out.println(text + "\n");
    }

    private static void progress(String line) {
        System.out.println("==> " + line);
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One load step and what it cost: CPU seconds and peak RSS per process, broker operations. */
    record Step(String label, int rate, LoadGenerator.Report report, long started, Map<String, Double> cpu,
                Map<String, Long> peakRss, BrokerCounters.Snapshot operations, Map<String, Long> redisRoundTrips) {

        boolean sustained() {
            return report.errors() == 0 && report.failed() == 0 && report.unfinished() == 0
                    && report.completedPerSecond() >= SUSTAINED_SHARE * rate
                    && millis(report.endToEnd(), 99, 1_000.0) <= SUSTAINED_P99_MILLIS;
        }

        Step labelled(String label) {
            return new Step(label, rate, report, started, cpu, peakRss, operations, redisRoundTrips);
        }

        String summary() {
            return "%d accepted, %d errors, %d succeeded, %.1f completed runs/s, end-to-end p99 %.0f ms".formatted(
                    report.accepted(), report.errors(), report.succeeded(), report.completedPerSecond(),
                    millis(report.endToEnd(), 99, 1_000.0));
        }
    }

    record Settings(Path repo, Path tools, List<Integer> rates, List<Integer> slowRates, Duration step,
                    Duration warmup, List<String> jvmOptions, List<String> singleJvmOptions, int modelRuns, String only,
                    Path out, String command) {

        static Settings parse(String... args) {
            Map<String, String> given = Arrays.stream(args).filter(arg -> arg.startsWith("--") && arg.contains("="))
                    .collect(Collectors.toMap(arg -> arg.substring(2, arg.indexOf('=')), arg -> arg.substring(arg.indexOf('=') + 1)));
            Path repo = Path.of(given.getOrDefault("repo", ".")).toAbsolutePath().normalize();
            return new Settings(repo,
                    Path.of(given.getOrDefault("tools", repo.resolve("bench/target/broker-tools").toString())),
                    integers(given.getOrDefault("rates", "25,50,75,100,125,150,175,200,225,250,275,300,350,400,500,600,800,1000")),
                    integers(given.getOrDefault("slow-rates", "10,25,50,100")),
                    LoadGenerator.Options.duration(given.getOrDefault("step", "15s")),
                    LoadGenerator.Options.duration(given.getOrDefault("warmup", "3s")),
                    // Steady state, not start-up: the C2 compiler, with a warm-up before anything is measured.
                    List.of(given.getOrDefault("jvm-options", "-Xmx384m -XX:+UseSerialGC").trim().split("\\s+")),
                    // the five services share this heap
                    List.of(given.getOrDefault("single-jvm-options", "-Xmx1g -XX:+UseSerialGC").trim().split("\\s+")),
                    Integer.parseInt(given.getOrDefault("model-runs", "2000")),
                    given.getOrDefault("only", ""),
                    Path.of(given.getOrDefault("out", repo.resolve(".switchboard/bench/report.md").toString())),
                    "./switchboard bench" + Arrays.stream(args).filter(arg -> !arg.startsWith("--repo="))
                            .map(arg -> " " + arg).collect(Collectors.joining()));
        }

        private static List<Integer> integers(String list) {
            return Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
        }
    }
}
