package io.switchboard.composer.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.AgentCompleted;
import io.switchboard.events.Envelope;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.platform.Outages;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.ToolOutputs;
import io.switchboard.store.RunStore;
import io.switchboard.store.RunStoreProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;

/**
 * The run store's one writer: its own consumer group reads the requests, calls and ends of runs
 * and stores each poll in one transaction ({@link RunStore#record}). A run that ended has its
 * event stream and token budget archived in that transaction too, and Redis may then let them go after
 * {@code switchboard.store.live-retention}. While PostgreSQL is away the batch is tried again, as
 * long as any consumer waits out an outage, and the group's lag grows; an event the store refuses
 * by itself is found, the others stored, and it is dead-lettered with the reason.
 */
@Component
class RunRecorder {

    static final String GROUP = "run-store";
    /**
     * KEYS: per run, its stream, its token count and its tokens by model. Returns per run its
     * entries ({@code XRANGE}) and the two hashes ({@code HGETALL}).
     */
    private static final RedisScript<List> READ_ENDED = RedisScript.of("""
            local runs = {}
            for i = 1, #KEYS, 3 do
              runs[#runs + 1] = {redis.call('XRANGE', KEYS[i], '-', '+'), redis.call('HGETALL', KEYS[i + 1]),
                redis.call('HGETALL', KEYS[i + 2])}
            end
            return runs
            """, List.class);
    private static final Logger LOG = LoggerFactory.getLogger(RunRecorder.class);

    private final RunStore store;
    private final RunEventLog runEvents;
    private final StringRedisTemplate redis;
    private final RunStoreProperties properties;
    private final Counter stored;
    private final ToolOutputs outputs;

    RunRecorder(RunStore store, RunEventLog runEvents, StringRedisTemplate redis, ToolOutputs outputs,
                RunStoreProperties properties, MeterRegistry meters) {
        this.store = store;
        this.outputs = outputs;
        this.runEvents = runEvents;
        this.redis = redis;
        this.properties = properties;
        this.stored = meters.counter("switchboard.store.events");
    }

    /**
     * The whole poll at once, with the streams of the runs it ended; if the store refuses it for
     * another reason than an outage, event by event, to find the one it refuses. The runs that ended
     * before that one are stored and their offsets committed, so their streams are archived then.
     */
    private void record(List<RunStore.Event> events, List<RunStore.Ended> ended, List<Integer> positions) {
        try {
            store.record(events, ended);
        } catch (RuntimeException failure) {
            if (Outages.isOutage(failure) || events.isEmpty()) {
                throw new BatchListenerFailedException("the run store did not take the batch", failure, positions.isEmpty() ? 0 : positions.getFirst());
            }
            for (int i = 0; i < events.size(); i++) {
                try {
                    store.record(List.of(events.get(i)));
                } catch (RuntimeException refused) {
                    List<RunEventLog.RunRef> endedBefore = endedRuns(events.subList(0, i));
                    store.archive(ended.stream().filter(run -> endedBefore.contains(new RunEventLog.RunRef(run.tenant(), run.runId())))
                            .toList());
                    runEvents.expire(endedBefore, properties.liveRetention());
                    throw new BatchListenerFailedException("the run store refused the event: " + refused.getMessage(), refused,
                            positions.get(i));
                }
            }
            store.archive(ended);
        }
    }

    private static List<RunEventLog.RunRef> endedRuns(List<RunStore.Event> events) {
        return events.stream().filter(event -> event.event() instanceof AgentCompleted)
                .map(event -> new RunEventLog.RunRef(event.envelope().tenantId(), ((AgentCompleted) event.event()).runId()))
                .distinct().toList();
    }

    /** A tool call's output as the store keeps it: inline, claimed back if it was kept aside. */
    private Object claimed(Envelope envelope, Object event) {
        if (event instanceof ToolCalled called && called.outcome().outputRef() != null) {
            return new ToolCalled(called.runId(), called.conversationId(), called.agent(), called.step(), called.taskCount(),
                    called.finalStep(), outputs.claim(envelope.tenantId(), called.runId(), called.outcome()), called.openEnded());
        }
        return event;
    }

    /** The ended runs' streams and token counts, read in one round trip for the whole poll. */
    private List<RunStore.Ended> ended(List<RunEventLog.RunRef> runs) {
        if (runs.isEmpty()) {
            return List.of();
        }
        List<String> keys = runs.stream().flatMap(run -> Stream.of(RedisKeys.runEvents(run.tenantId(), run.runId()),
                RedisKeys.tokensPerRun(run.tenantId(), run.runId()), RedisKeys.modelUsagePerRun(run.tenantId(), run.runId())))
                .toList();
        List<?> read = redis.execute(READ_ENDED, keys);
        List<RunStore.Ended> ended = new ArrayList<>(runs.size());
        for (int i = 0; i < runs.size(); i++) {
            List<?> run = (List<?>) read.get(i);
            List<RunEventLog.Entry> entries = ((List<?>) run.get(0)).stream().map(entry -> {
                List<?> fields = (List<?>) ((List<?>) entry).get(1);
                return new RunEventLog.Entry((String) ((List<?>) entry).get(0), (String) fields.get(1), (String) fields.get(3));
            }).toList();
            Map<String, String> tokens = hash(run.get(1));
            long limit = Long.parseLong(tokens.getOrDefault("limit", "0"));
            ended.add(new RunStore.Ended(runs.get(i).tenantId(), runs.get(i).runId(), entries, limit == 0 ? null
                    : new RunStore.Budget(Long.parseLong(tokens.getOrDefault("used", "0")), limit, hash(run.get(2)))));
        }
        return ended;
    }

    /** A hash as {@code HGETALL} answers in a script: field, value, field, value. */
    private static Map<String, String> hash(Object fieldsAndValues) {
        List<?> list = (List<?>) fieldsAndValues;
        Map<String, String> hash = new LinkedHashMap<>();
        for (int i = 0; i + 1 < list.size(); i += 2) {
            hash.put((String) list.get(i), (String) list.get(i + 1));
        }
        return hash;
    }

    /**
     * A fetch waits for up to {@code switchboard.store.batch-wait-ms} (250) or a megabyte of records,
     * so that a transaction stores many: fetching as soon as a record was there, the writer stored a
     * poll of one or two records at a time, and PostgreSQL committed about seven transactions per run.
     */
    @KafkaListener(id = GROUP, groupId = GROUP, containerFactory = RunStoreConfiguration.LISTENER_FACTORY,
            topics = {Topics.AGENT_REQUESTED, Topics.AGENT_REQUESTED_BACKGROUND, Topics.AGENT_TOOL_CALLED,
                    Topics.AGENT_TOOL_CALLED_BACKGROUND, Topics.AGENT_COMPLETED},
            properties = {"fetch.min.bytes=1048576", "fetch.max.wait.ms=${switchboard.store.batch-wait-ms:250}"})
    void onEvents(List<ConsumerRecord<String, Object>> records) {
        List<RunStore.Event> events = new ArrayList<>(records.size());
        List<Integer> positions = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, Object> record = records.get(i);
            // An unreadable record has no value here; the pipeline's own consumers dead-letter it.
            if (record.value() == null) {
                LOG.warn("not storing unreadable record {}-{}@{}", record.topic(), record.partition(), record.offset());
                continue;
            }
            Envelope envelope = CloudEventRecords.envelope(record.headers());
            events.add(new RunStore.Event(envelope, claimed(envelope, record.value())));
            positions.add(i);
        }
        List<RunEventLog.RunRef> ended = endedRuns(events);
        record(events, ended(ended), positions);
        runEvents.expire(ended, properties.liveRetention());
        stored.increment(events.size());
    }
}
