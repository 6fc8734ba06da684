package io.switchboard.events;

import java.time.Instant;
import java.util.Map;

/** A tenant asked for an agent run; emitted by the gateway once the run is accepted. */
@EventType(name = "agent.requested", version = 1)
public record AgentRequested(
        String runId,
        String conversationId,
        String agent,
        Map<String, Object> input,
        Priority priority,
        Instant requestedAt) implements Prioritized {
}
