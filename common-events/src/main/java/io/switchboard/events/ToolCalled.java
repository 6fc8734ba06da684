package io.switchboard.events;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;

/**
 * A worker finished a tool task, successfully or for good.
 *
 * @param openEnded the task's {@link ToolTask#openEnded}; added within v1, absent reads as false
 */
@EventType(name = "agent.tool_called", version = 1)
public record ToolCalled(
        String runId,
        String conversationId,
        String agent,
        int step,
        int taskCount,
        boolean finalStep,
        ToolOutcome outcome,
        @JsonSetter(nulls = Nulls.AS_EMPTY) boolean openEnded) {

    public static ToolCalled of(ToolTask task, ToolOutcome outcome) {
        return new ToolCalled(task.runId(), task.conversationId(), task.agent(), task.step(),
                task.taskCount(), task.finalStep(), outcome, task.openEnded());
    }
}
