package io.switchboard.composer.composition;

import io.switchboard.events.CloudEventHeaders;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.Topics;
import io.switchboard.events.kafka.CloudEventRecords;
import io.switchboard.platform.KeyedBatches;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * The composer's consumers, a poll at a time ({@link KeyedBatches}): the outcomes of a poll are
 * composed at once, those of one conversation in their order, those of one step that follow one
 * another together. Background work has a lane of its own ({@link Topics#lane}), so its backlog
 * does not hold up interactive runs.
 */
@Component
class CompositionListener {

    private static final String TOOL_CALLED = "composer-tool-called";
    private static final String TOOL_CALLED_BACKGROUND = "composer-tool-called-background";

    private final RunComposition composition;
    private final KeyedBatches batches;

    CompositionListener(RunComposition composition, KeyedBatches batches) {
        this.composition = composition;
        this.batches = batches;
    }

    @KafkaListener(id = TOOL_CALLED, topics = Topics.AGENT_TOOL_CALLED)
    void onToolCalled(List<ConsumerRecord<String, ToolCalled>> records) {
        toolCalled(TOOL_CALLED, records);
    }

    @KafkaListener(id = TOOL_CALLED_BACKGROUND, topics = Topics.AGENT_TOOL_CALLED_BACKGROUND,
            concurrency = KeyedBatches.BACKGROUND_CONSUMERS, properties = KeyedBatches.BACKGROUND_POLL)
    void onBackgroundToolCalled(List<ConsumerRecord<String, ToolCalled>> records) {
        toolCalled(TOOL_CALLED_BACKGROUND, records);
    }

    /** The outcomes of one step of a run that follow one another in the poll are gathered together. */
    private void toolCalled(String listenerId, List<ConsumerRecord<String, ToolCalled>> records) {
        batches.handle(listenerId, records, CompositionListener::step, step -> composition.toolCalled(Topics.laneOf(step.getFirst().topic()),
                step.stream().map(record -> new RunComposition.Received(CloudEventRecords.envelope(record.headers()), record.value()))
                        .toList()));
    }

    private static List<Object> step(ConsumerRecord<String, ToolCalled> record) {
        return List.of(String.valueOf(CloudEventRecords.header(record.headers(), CloudEventHeaders.TENANT_ID)),
                String.valueOf(record.value().runId()), record.value().step());
    }
}
