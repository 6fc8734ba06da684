package io.switchboard.planner.planning;

import io.switchboard.events.AgentRequested;
import io.switchboard.events.StepCompleted;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

@Component
class PlanningListener {

    private final RunPlanning planning;

    PlanningListener(RunPlanning planning) {
        this.planning = planning;
    }

    @KafkaListener(id = "planner-requested", topics = Topics.AGENT_REQUESTED)
    void onRequested(ConsumerRecord<String, AgentRequested> record) {
        planning.requested(CloudEventRecords.envelope(record.headers()), record.value());
    }

    @KafkaListener(id = "planner-step-completed", topics = Topics.AGENT_STEP_COMPLETED)
    void onStepCompleted(ConsumerRecord<String, StepCompleted> record) {
        planning.stepCompleted(CloudEventRecords.envelope(record.headers()), record.value());
    }
}
