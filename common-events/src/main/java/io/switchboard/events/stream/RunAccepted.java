package io.switchboard.events.stream;

import io.switchboard.events.Priority;
import java.time.Instant;

/** {@code run.accepted}: the run's first entry, written before the gateway answers 202. */
public record RunAccepted(
        String runId,
        String conversationId,
        String agent,
        Priority priority,
        String correlationId,
        Instant createdAt,
        Instant deadline) implements RunEvent {

    public static final String NAME = "run.accepted";

    @Override
    public String eventName() {
        return NAME;
    }
}
