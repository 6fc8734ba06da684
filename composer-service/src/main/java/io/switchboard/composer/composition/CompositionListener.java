package io.switchboard.composer.composition;

import io.switchboard.events.ToolCalled;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.platform.KeyedBatches;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * The composer's consumer, a poll at a time ({@link KeyedBatches}): the outcomes of a poll are
 * composed at once, those of one conversation in their order.
 */
@Component
class CompositionListener {

    private static final String TOOL_CALLED = "composer-tool-called";

    private final RunComposition composition;
    private final KeyedBatches batches;

    CompositionListener(RunComposition composition, KeyedBatches batches) {
        this.composition = composition;
        this.batches = batches;
    }

    @KafkaListener(id = TOOL_CALLED, topics = Topics.AGENT_TOOL_CALLED)
    void onToolCalled(List<ConsumerRecord<String, ToolCalled>> records) {
        batches.handle(TOOL_CALLED, records, record -> composition.toolCalled(CloudEventRecords.envelope(record.headers()), record.value()));
    }
}
