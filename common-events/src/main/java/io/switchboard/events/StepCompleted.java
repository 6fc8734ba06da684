package io.switchboard.events;

import java.util.List;

/** Every task of a step is in; the planner decides the next step from these outcomes. */
@EventType(name = "agent.step_completed", version = 1)
public record StepCompleted(
        String runId,
        String conversationId,
        String agent,
        int step,
        List<ToolOutcome> outcomes) {
}
