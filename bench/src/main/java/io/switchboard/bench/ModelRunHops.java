package io.switchboard.bench;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.RunStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Where a model run's time goes, hop by hop: the run's events in the order its stream in Redis has
 * them, each at the time Redis appended it (the entry's id, in whole milliseconds), with the
 * model's own clock between them for when each call arrived and when its reply was written. The
 * first run read sets the hops; a run whose events came otherwise is counted, not measured.
 */
final class ModelRunHops {

    /** What runs between two events, by their names. */
    private static final Map<String, String> WHERE = Map.of(
            "run.accepted -> step.planned", "gateway -> Kafka -> planner",
            "step.planned -> model call arrives", "RabbitMQ -> worker -> the model's server",
            "model call arrives -> model reply written", "the model",
            "model reply written -> model.completed", "worker: the streamed reply read, recorded and appended",
            "model.completed -> step.completed", "worker -> Kafka -> composer",
            "step.completed -> step.planned", "composer -> Kafka -> planner",
            "step.planned -> tool.succeeded", "RabbitMQ -> worker, the tool -> Kafka -> composer",
            "tool.succeeded -> step.completed", "composer",
            "step.completed -> run.completed", "composer -> Kafka -> planner");

    private final Map<String, Histogram> hops = new LinkedHashMap<>();
    private int measured;
    private int otherwise;

    private record Event(String name, int step, Instant at) {
    }

    /** Reads the stream of the run {@code runId} of tenant {@code tenantId}, whose model calls were {@code calls}. */
    @SuppressWarnings("unchecked")
    void add(String tenantId, String runId, ModelLoopServer.Calls calls) {
        List<Event> events = new ArrayList<>();
        int modelCalls = 0;
        for (Object entry : (List<Object>) BrokerCounters.redis("XRANGE", RedisKeys.runEvents(tenantId, runId), "-", "+")) {
            String id = (String) ((List<Object>) entry).get(0);
            Map<String, String> fields = fields((List<Object>) ((List<Object>) entry).get(1));
            String name = fields.get(RunStream.EVENT_FIELD);
            if (name.equals("message.delta")) {
                continue;
            }
            int step = EventCodec.mapper().readTree(fields.get(RunStream.DATA_FIELD)).path("step").asInt(0);
            if (name.equals("model.completed")) {
                boolean first = modelCalls++ == 0;
                events.add(new Event("model call arrives", step, first ? calls.firstArrived : calls.secondArrived));
                events.add(new Event("model reply written", step, first ? calls.firstReplied : calls.secondReplied));
            }
            events.add(new Event(name, step, Instant.ofEpochMilli(Long.parseLong(id.substring(0, id.indexOf('-'))))));
        }
        List<String> labels = new ArrayList<>();
        for (int i = 1; i < events.size(); i++) {
            labels.add(label(events.get(i - 1)) + " -> " + label(events.get(i)));
        }
        if (!hops.isEmpty() && !labels.equals(List.copyOf(hops.keySet())) || events.stream().anyMatch(event -> event.at() == null)) {
            otherwise++;
            return;
        }
        for (int i = 1; i < events.size(); i++) {
            Duration hop = Duration.between(events.get(i - 1).at(), events.get(i).at());
            hops.computeIfAbsent(labels.get(i - 1), label -> new Histogram(3)).recordValue(Math.max(0, hop.toNanos() / 1_000));
        }
        measured++;
    }

    /** The hops of these runs beside {@code other}'s, as a Markdown table, p50 / p99 in milliseconds. */
    String table(String heading, ModelRunHops other, String otherHeading) {
        List<String> rows = new ArrayList<>(List.of("| hop (step) | what runs in it | " + heading + ", p50 / p99 (ms) | "
                + otherHeading + ", p50 / p99 (ms) |", "|---|---|---|---|"));
        hops.forEach((label, micros) -> rows.add("| " + label + " | " + WHERE.getOrDefault(label.replaceAll(" \\d+", ""), "")
                + " | " + percentiles(micros) + " | " + percentiles(other.hops.get(label)) + " |"));
        rows.add("");
        rows.add("Runs read back: %s %d%s, %s %d%s.".formatted(heading, measured, otherwise == 0 ? "" : " (and " + otherwise
                + " whose events came otherwise)", otherHeading, other.measured, other.otherwise == 0 ? ""
                : " (and " + other.otherwise + " whose events came otherwise)"));
        return String.join("\n", rows);
    }

    private static String percentiles(Histogram micros) {
        return micros == null ? "no samples"
                : "%.1f / %.1f".formatted(Benchmark.millis(micros, 50, 1_000.0), Benchmark.millis(micros, 99, 1_000.0));
    }

    private static String label(Event event) {
        return event.step() == 0 ? event.name() : event.name() + " " + event.step();
    }

    private static Map<String, String> fields(List<Object> flat) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put((String) flat.get(i), (String) flat.get(i + 1));
        }
        return fields;
    }
}
