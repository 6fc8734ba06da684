package io.switchboard.composer.composition;

import io.switchboard.events.ToolCalled;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

@Component
class CompositionListener {

    private final RunComposition composition;

    CompositionListener(RunComposition composition) {
        this.composition = composition;
    }

    @KafkaListener(id = "composer-tool-called", topics = Topics.AGENT_TOOL_CALLED)
    void onToolCalled(ConsumerRecord<String, ToolCalled> record) {
        composition.toolCalled(CloudEventRecords.envelope(record.headers()), record.value());
    }
}
