package io.switchboard.events;

import java.time.Instant;
import java.util.Map;

/** The run reached its end: the final response, or the reason it failed. */
@EventType(name = "agent.completed", version = 1)
public record AgentCompleted(
        String runId,
        String conversationId,
        String agent,
        RunStatus status,
        Map<String, Object> output,
        String error,
        Instant completedAt) {
}
