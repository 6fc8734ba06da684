package io.switchboard.operations.replay;

import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.EventCodec;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.store.RunStore;
import io.switchboard.store.StoredRun;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The replay drill: rebuilds the runs created in a time range from Kafka alone, into a scratch
 * schema, and compares them with the live store run by run. It reads the topics with a consumer
 * group of its own from the range's first offsets, runs no tool and no model, touches neither the
 * live store nor the live consumer groups, and drops the scratch schema when it is done. Runs
 * compare equal when their status, final output, number of calls and token usage are the same.
 */
@Component
public class ReplayDrill {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayDrill.class);
    /** Requests are read this far past the range: a record's time is a little after its run's creation. */
    private static final Duration REQUEST_SLACK = Duration.ofMinutes(1);
    private static final List<String> REQUESTS = List.of(Topics.AGENT_REQUESTED, Topics.AGENT_REQUESTED_BACKGROUND);
    private static final List<String> TOPICS = List.of(Topics.AGENT_REQUESTED, Topics.AGENT_REQUESTED_BACKGROUND,
            Topics.AGENT_TOOL_CALLED, Topics.AGENT_TOOL_CALLED_BACKGROUND, Topics.AGENT_COMPLETED);

    private final RunStore live;
    private final DataSourceProperties database;
    private final KafkaProperties kafka;

    ReplayDrill(RunStore live, DataSourceProperties database, KafkaProperties kafka) {
        this.live = live;
        this.database = database;
        this.kafka = kafka;
    }

    /** A run the drill found different, and in which fields. */
    public record Difference(String tenant, String runId, List<String> fields) {
    }

    /**
     * What a drill found. {@code inFlight}: runs the live store has not seen end yet, not compared.
     */
    public record Report(Instant from, Instant to, long recordsRead, int runsCompared, int equal,
                         List<Difference> different, List<String> missingInStore, List<String> missingInReplay,
                         int inFlight, long durationMs) {

        public String table() {
            StringBuilder table = new StringBuilder("""
                    | replay %s – %s | |
                    |---|---|
                    | Kafka records read | %d |
                    | runs compared | %d |
                    | equal | %d |
                    | different | %d%s |
                    | missing in the store | %d%s |
                    | missing in the replay | %d%s |
                    | still in flight (not compared) | %d |
                    | took | %d ms |
                    """.formatted(from, to, recordsRead, runsCompared, equal, different.size(),
                    ids(different.stream().map(d -> d.tenant() + "/" + d.runId() + " " + d.fields()).toList()),
                    missingInStore.size(), ids(missingInStore), missingInReplay.size(), ids(missingInReplay), inFlight,
                    durationMs));
            return table.toString();
        }

        private static String ids(List<String> ids) {
            return ids.isEmpty() ? "" : ": " + String.join(", ", ids.subList(0, Math.min(ids.size(), 50)))
                    + (ids.size() > 50 ? ", …" : "");
        }
    }

    public Report run(Instant from, Instant to) {
        long started = System.nanoTime();
        String schema = "replay_" + DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC).format(Instant.now())
                + "_" + UUID.randomUUID().toString().substring(0, 6);
        SingleConnectionDataSource scratch = new SingleConnectionDataSource(
                database.getUrl() + (database.getUrl().contains("?") ? "&" : "?") + "currentSchema=" + schema,
                database.getUsername(), database.getPassword(), true);
        JdbcTemplate jdbc = new JdbcTemplate(scratch);
        try {
            Flyway.configure().dataSource(scratch).schemas(schema).load().migrate();
            RunStore replayed = new RunStore(jdbc, new TransactionTemplate(new DataSourceTransactionManager(scratch)));
            long records = consume(from, to, replayed);
            Map<String, StoredRun> mine = replayed.createdBetween(from, to);
            Map<String, StoredRun> theirs = live.createdBetween(from, to);
            Report report = compare(from, to, records, mine, theirs, Duration.ofNanos(System.nanoTime() - started));
            LOG.info("replay {} – {}: {} compared, {} equal, {} different, {} missing in the store, {} missing in the replay",
                    from, to, report.runsCompared(), report.equal(), report.different().size(), report.missingInStore().size(),
                    report.missingInReplay().size());
            return report;
        } finally {
            jdbc.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            scratch.destroy();
        }
    }

    /** Reads the range into {@code store}: requests created up to {@code to}, and every call and end up to now. */
    private long consume(Instant from, Instant to, RunStore store) {
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "replay-drill-" + UUID.randomUUID());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = TOPICS.stream().flatMap(topic -> consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(consumer.endOffsets(partitions));
            Map<TopicPartition, Long> startTimes = new HashMap<>();
            partitions.forEach(partition -> startTimes.put(partition, from.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(startTimes);
            Map<TopicPartition, Long> requestTimes = new HashMap<>();
            partitions.stream().filter(p -> REQUESTS.contains(p.topic()))
                    .forEach(partition -> requestTimes.put(partition, to.plus(REQUEST_SLACK).toEpochMilli()));
            consumer.offsetsForTimes(requestTimes).forEach((partition, until) -> {
                if (until != null) {
                    ends.put(partition, until.offset());
                }
            });
            List<TopicPartition> open = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                OffsetAndTimestamp start = starts.get(partition);
                long position = start == null ? ends.get(partition) : start.offset();
                consumer.seek(partition, position);
                if (position < ends.get(partition)) {
                    open.add(partition);
                }
            }
            consumer.pause(partitions.stream().filter(p -> !open.contains(p)).toList());
            long read = 0;
            while (!open.isEmpty()) {
                List<RunStore.Event> events = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofSeconds(1))) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= ends.get(partition)) {
                        continue;
                    }
                    read++;
                    try {
                        events.add(new RunStore.Event(CloudEventRecords.envelope(record.headers()), EventCodec.decode(
                                CloudEventRecords.header(record.headers(), CloudEventHeaders.TYPE), record.value())));
                    } catch (RuntimeException unreadable) {
                        LOG.debug("replay skips unreadable record {}-{}@{}", record.topic(), record.partition(), record.offset());
                    }
                }
                store.record(events);
                for (TopicPartition partition : List.copyOf(open)) {
                    if (consumer.position(partition) >= ends.get(partition)) {
                        open.remove(partition);
                        consumer.pause(List.of(partition));
                    }
                }
            }
            return read;
        }
    }

    private static Report compare(Instant from, Instant to, long records, Map<String, StoredRun> replayed,
                                  Map<String, StoredRun> stored, Duration took) {
        List<Difference> different = new ArrayList<>();
        List<String> missingInStore = new ArrayList<>();
        List<String> missingInReplay = new ArrayList<>();
        int compared = 0;
        int inFlight = 0;
        for (String run : new TreeSet<>(union(replayed, stored))) {
            StoredRun mine = replayed.get(run);
            StoredRun theirs = stored.get(run);
            if (theirs == null) {
                missingInStore.add(run);
            } else if (!theirs.ended()) {
                inFlight++;
            } else if (mine == null) {
                missingInReplay.add(run);
            } else {
                compared++;
                List<String> fields = new ArrayList<>();
                if (!Objects.equals(mine.status(), theirs.status())) {
                    fields.add("status");
                }
                if (!Objects.equals(mine.output(), theirs.output())) {
                    fields.add("output");
                }
                if (mine.toolCallCount() != theirs.toolCallCount()) {
                    fields.add("toolCalls");
                }
                if (!Objects.equals(mine.usage(), theirs.usage())) {
                    fields.add("usage");
                }
                if (!fields.isEmpty()) {
                    int slash = run.indexOf('/');
                    different.add(new Difference(run.substring(0, slash), run.substring(slash + 1), fields));
                }
            }
        }
        return new Report(from, to, records, compared, compared - different.size(), different, missingInStore,
                missingInReplay, inFlight, took.toMillis());
    }

    private static java.util.Set<String> union(Map<String, ?> a, Map<String, ?> b) {
        java.util.Set<String> all = new java.util.HashSet<>(a.keySet());
        all.addAll(b.keySet());
        return all;
    }
}
