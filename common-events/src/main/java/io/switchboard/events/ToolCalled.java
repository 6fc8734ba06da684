package io.switchboard.events;

/** A worker finished a tool task, successfully or for good. */
@EventType(name = "agent.tool_called", version = 1)
public record ToolCalled(
        String runId,
        String conversationId,
        String agent,
        int step,
        int taskCount,
        boolean finalStep,
        ToolOutcome outcome) {

    public static ToolCalled of(ToolTask task, ToolOutcome outcome) {
        return new ToolCalled(task.runId(), task.conversationId(), task.agent(), task.step(),
                task.taskCount(), task.finalStep(), outcome);
    }
}
