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
 * once, the runs of one conversation in their order. Each topic has a lane per priority class
 * ({@link Topics#lane}), with consumers of its own: interactive runs never wait behind a backlog
 * of background ones.
 */
@Component
class PlanningListener {

    private static final String REQUESTED = "planner-requested";
    private static final String STEP_COMPLETED = "planner-step-completed";
    static final String REQUESTED_BACKGROUND = "planner-requested-background";
    private static final String STEP_COMPLETED_BACKGROUND = "planner-step-completed-background";

    private final RunPlanning planning;
    private final KeyedBatches batches;

    PlanningListener(RunPlanning planning, KeyedBatches batches) {
        this.planning = planning;
        this.batches = batches;
    }

    @KafkaListener(id = REQUESTED, topics = Topics.AGENT_REQUESTED)
    void onRequested(List<ConsumerRecord<String, AgentRequested>> records) {
        requested(REQUESTED, records);
    }

    @KafkaListener(id = REQUESTED_BACKGROUND, topics = Topics.AGENT_REQUESTED_BACKGROUND, concurrency = KeyedBatches.BACKGROUND_CONSUMERS,
            properties = KeyedBatches.BACKGROUND_POLL)
    void onBackgroundRequested(List<ConsumerRecord<String, AgentRequested>> records) {
        requested(REQUESTED_BACKGROUND, records);
    }

    @KafkaListener(id = STEP_COMPLETED, topics = Topics.AGENT_STEP_COMPLETED)
    void onStepCompleted(List<ConsumerRecord<String, StepCompleted>> records) {
        stepCompleted(STEP_COMPLETED, records);
    }

    @KafkaListener(id = STEP_COMPLETED_BACKGROUND, topics = Topics.AGENT_STEP_COMPLETED_BACKGROUND,
            concurrency = KeyedBatches.BACKGROUND_CONSUMERS, properties = KeyedBatches.BACKGROUND_POLL)
    void onBackgroundStepCompleted(List<ConsumerRecord<String, StepCompleted>> records) {
        stepCompleted(STEP_COMPLETED_BACKGROUND, records);
    }

    private void requested(String listenerId, List<ConsumerRecord<String, AgentRequested>> records) {
        batches.handle(listenerId, records, record -> planning.requested(CloudEventRecords.envelope(record.headers()),
                record.value(), Topics.laneOf(record.topic())));
    }

    private void stepCompleted(String listenerId, List<ConsumerRecord<String, StepCompleted>> records) {
        batches.handle(listenerId, records,
                record -> planning.stepCompleted(CloudEventRecords.envelope(record.headers()), record.value()));
    }
}
