package io.switchboard.bench;

import io.switchboard.bench.stack.Platform;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker-bound ceiling of a load step: how many runs per second each broker could carry if it
 * did nothing but the platform's operations at the rate its own benchmark tool reached. Operations
 * per run are counted during the step: Kafka records (end offsets), RabbitMQ messages published,
 * and Redis round trips by command, as the services' Redis clients count them ({@code
 * lettuce_seconds_count} on each service's Prometheus endpoint), each priced at the rate
 * redis-benchmark measured for that command (scripts at the rate of the run-event append script).
 */
record Ceiling(double kafkaPerRun, double rabbitPerRun, Map<String, Double> redisPerRun, double kafkaRuns,
               double rabbitRuns, double redisRuns, double measuredRuns) {

    private static final Map<Integer, String> SERVICE_PORTS = Map.of(8080, "gateway", 8081, "planner", 8082, "worker",
            8083, "composer", 8084, "operations");
    private static final Pattern LETTUCE = Pattern.compile("^lettuce_seconds_count\\{.*db_operation=\"([A-Z]+)\".*} ([0-9.E]+)$");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /** Redis round trips so far, by service and command ({@code "worker EVALSHA"}). */
    static Map<String, Long> redisRoundTrips() {
        Map<String, Long> calls = new TreeMap<>();
        for (int port : SERVICE_PORTS.keySet()) {
            try {
                String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + Platform.managementPort(port) + "/actuator/prometheus"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                metrics.lines().map(LETTUCE::matcher).filter(Matcher::matches)
                        .forEach(m -> calls.merge(SERVICE_PORTS.get(port) + " " + m.group(1), (long) Double.parseDouble(m.group(2)), Long::sum));
            } catch (IOException unreachable) {
                // a service that is not running has no calls to count
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return calls;
    }

    static Ceiling of(BrokerLimits.Result limits, Benchmark.Step step) {
        double runs = step.started();
        double kafkaPerRun = step.operations().kafkaRecords() / runs;
        double rabbitPerRun = step.operations().rabbitPublished() / runs;
        Map<String, Double> redisPerRun = new TreeMap<>();
        step.redisRoundTrips().forEach((command, calls) ->
                redisPerRun.merge(command.substring(command.indexOf(' ') + 1), calls / runs, Double::sum));
        double redisSecondsPerRun = redisPerRun.entrySet().stream()
                .mapToDouble(command -> command.getValue() / redisRate(limits.redis(), command.getKey())).sum();
        double rabbitRate = Math.min(limits.rabbit().publishedPerSecond(), limits.rabbit().consumedPerSecond());
        return new Ceiling(kafkaPerRun, rabbitPerRun, redisPerRun, limits.kafka().recordsPerSecond() / kafkaPerRun,
                rabbitRate / rabbitPerRun, 1 / redisSecondsPerRun, step.report().completedPerSecond());
    }

    /** The measured rate of the command, or of the closest command measured. */
    private static double redisRate(Map<String, Double> rates, String command) {
        String measured = switch (command) {
            case "EVALSHA", "EVAL" -> "EVALSHA run-event append";
            case "SET" -> "SET PX";
            case "HSETNX" -> "HSET";
            case "HVALS", "HGET", "HMGET" -> "HGETALL";
            case "PEXPIRE" -> "EXPIRE";
            case "ZRANGEBYSCORE", "ZREVRANGE", "ZREMRANGEBYSCORE", "ZCARD" -> "ZREM";
            default -> command;
        };
        return rates.getOrDefault(measured, rates.get("GET"));
    }

    double ceiling() {
        return Math.min(kafkaRuns, Math.min(rabbitRuns, redisRuns));
    }

    String table() {
        List<String> rows = new ArrayList<>(List.of(
                "Operations per run counted during the highest sustained rate; each broker's ceiling is its measured "
                        + "rate divided by them.",
                "",
                "| broker | operations per run | broker rate (tool) | runs/s it could carry |",
                "|---|---|---|---|"));
        rows.add(String.format(Locale.ROOT, "| Kafka | %.2f records | see above | %,.0f |", kafkaPerRun, kafkaRuns));
        rows.add(String.format(Locale.ROOT, "| RabbitMQ | %.2f messages | see above | %,.0f |", rabbitPerRun, rabbitRuns));
        StringBuilder redis = new StringBuilder();
        redisPerRun.forEach((command, perRun) -> redis.append(redis.isEmpty() ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s %.2f", command, perRun)));
        rows.add(String.format(Locale.ROOT, "| Redis | %.2f round trips: %s | see above, per command | %,.0f |",
                redisPerRun.values().stream().mapToDouble(Double::doubleValue).sum(), redis, redisRuns));
        rows.add("");
        String bound = ceiling() == kafkaRuns ? "Kafka" : ceiling() == rabbitRuns ? "RabbitMQ" : "Redis";
        rows.add(String.format(Locale.ROOT, "Broker-bound ceiling: **%,.0f runs/s** (%s). The platform sustained %.1f "
                + "completed runs/s, **%.1f %%** of it.", ceiling(), bound, measuredRuns, 100 * measuredRuns / ceiling()));
        return String.join("\n", rows) + "\n";
    }
}
