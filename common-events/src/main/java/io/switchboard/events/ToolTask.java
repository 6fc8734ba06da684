package io.switchboard.events;

import java.util.Map;

/**
 * A unit of tool work on RabbitMQ. It carries what the composer needs to gather the step
 * ({@code taskCount}, {@code finalStep}) so that no consumer depends on the order of topics.
 */
@EventType(name = "tool.task", version = 1)
public record ToolTask(
        String taskId,
        String runId,
        String conversationId,
        String agent,
        int step,
        int index,
        int taskCount,
        boolean finalStep,
        String tool,
        Map<String, Object> args,
        Priority priority) implements Prioritized {

    /** The key a tool uses to de-duplicate its own side effects: one per (run, step, task). */
    public String idempotencyKey() {
        return taskId;
    }
}
