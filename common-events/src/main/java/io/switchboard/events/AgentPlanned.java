package io.switchboard.events;

import java.util.List;

/** The planner enqueued the tool tasks of one step of a run. */
@EventType(name = "agent.planned", version = 1)
public record AgentPlanned(
        String runId,
        String conversationId,
        String agent,
        int step,
        String stepName,
        boolean finalStep,
        List<PlannedTask> tasks) {
}
