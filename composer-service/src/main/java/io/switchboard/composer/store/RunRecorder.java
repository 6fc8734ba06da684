package io.switchboard.composer.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.AgentCompleted;
import io.switchboard.events.Envelope;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.platform.Outages;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.platform.ToolOutputs;
import io.switchboard.store.RunStore;
import io.switchboard.store.RunStoreProperties;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;

/**
 * The run store's one writer: its own consumer group reads the requests, calls and ends of runs
 * and stores each poll in one transaction ({@link RunStore#record}). A run that ended has its
 * event stream and token budget archived too, and Redis may then let them go after
 * {@code switchboard.store.live-retention}. While PostgreSQL is away the batch is tried again, as
 * long as any consumer waits out an outage, and the group's lag grows; an event the store refuses
 * by itself is found, the others stored, and it is dead-lettered with the reason.
 */
@Component
class RunRecorder {

    static final String GROUP = "run-store";
    private static final Logger LOG = LoggerFactory.getLogger(RunRecorder.class);

    private final RunStore store;
    private final RunEventLog runEvents;
    private final TokenBudgets budgets;
    private final RunStoreProperties properties;
    private final Counter stored;
    private final ToolOutputs outputs;

    RunRecorder(RunStore store, RunEventLog runEvents, TokenBudgets budgets, ToolOutputs outputs, RunStoreProperties properties,
                MeterRegistry meters) {
        this.store = store;
        this.outputs = outputs;
        this.runEvents = runEvents;
        this.budgets = budgets;
        this.properties = properties;
        this.stored = meters.counter("switchboard.store.events");
    }

    /** The whole poll at once; if the store refuses it for another reason than an outage, event by event, to find the one it refuses. */
    private void record(List<RunStore.Event> events, List<Integer> positions) {
        try {
            store.record(events);
        } catch (RuntimeException failure) {
            if (Outages.isOutage(failure) || events.isEmpty()) {
                throw new BatchListenerFailedException("the run store did not take the batch", failure, positions.isEmpty() ? 0 : positions.getFirst());
            }
            for (int i = 0; i < events.size(); i++) {
                try {
                    store.record(List.of(events.get(i)));
                } catch (RuntimeException refused) {
                    throw new BatchListenerFailedException("the run store refused the event: " + refused.getMessage(), refused,
                            positions.get(i));
                }
            }
        }
    }

    /** A tool call's output as the store keeps it: inline, claimed back if it was kept aside. */
    private Object claimed(Envelope envelope, Object event) {
        if (event instanceof ToolCalled called && called.outcome().outputRef() != null) {
            return new ToolCalled(called.runId(), called.conversationId(), called.agent(), called.step(), called.taskCount(),
                    called.finalStep(), outputs.claim(envelope.tenantId(), called.runId(), called.outcome()), called.openEnded());
        }
        return event;
    }

    private RunStore.Ended ended(RunEventLog.RunRef run) {
        TokenBudgets.Usage tokens = budgets.run(run.tenantId(), run.runId());
        return new RunStore.Ended(run.tenantId(), run.runId(), runEvents.read(run.tenantId(), run.runId(), null),
                tokens.limit() == 0 ? null
                        : new RunStore.Budget(tokens.used(), tokens.limit(), budgets.runModels(run.tenantId(), run.runId())));
    }

    @KafkaListener(id = GROUP, groupId = GROUP, containerFactory = RunStoreConfiguration.LISTENER_FACTORY,
            topics = {Topics.AGENT_REQUESTED, Topics.AGENT_TOOL_CALLED, Topics.AGENT_COMPLETED})
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
        record(events, positions);
        List<RunEventLog.RunRef> ended = events.stream().filter(event -> event.event() instanceof AgentCompleted)
                .map(event -> new RunEventLog.RunRef(event.envelope().tenantId(), ((AgentCompleted) event.event()).runId()))
                .distinct().toList();
        store.archive(ended.stream().map(this::ended).toList());
        runEvents.expire(ended, properties.liveRetention());
        stored.increment(events.size());
    }
}
