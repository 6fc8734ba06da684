package io.switchboard.planner.planning;

import io.switchboard.events.AgentRequested;
import io.switchboard.events.StepCompleted;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.platform.KeyedBatches;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * The planner's consumers, a poll at a time ({@link KeyedBatches}): the runs of a poll are planned at
 * once, the runs of one conversation in their order.
 */
@Component
class PlanningListener {

    private static final String REQUESTED = "planner-requested";
    private static final String STEP_COMPLETED = "planner-step-completed";

    private final RunPlanning planning;
    private final KeyedBatches batches;

    PlanningListener(RunPlanning planning, KeyedBatches batches) {
        this.planning = planning;
        this.batches = batches;
    }

    @KafkaListener(id = REQUESTED, topics = Topics.AGENT_REQUESTED)
    void onRequested(List<ConsumerRecord<String, AgentRequested>> records) {
        batches.handle(REQUESTED, records, record -> planning.requested(CloudEventRecords.envelope(record.headers()), record.value()));
    }

    @KafkaListener(id = STEP_COMPLETED, topics = Topics.AGENT_STEP_COMPLETED)
    void onStepCompleted(List<ConsumerRecord<String, StepCompleted>> records) {
        batches.handle(STEP_COMPLETED, records,
                record -> planning.stepCompleted(CloudEventRecords.envelope(record.headers()), record.value()));
    }
}
