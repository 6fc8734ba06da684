package io.switchboard.events;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Map;

/**
 * A unit of tool work on RabbitMQ: a tool call, or a call of a model ({@link #MODEL_CALL}). It
 * carries what the composer needs to gather the step ({@code taskCount}, {@code finalStep},
 * {@code openEnded}) so that no consumer depends on the order of topics.
 *
 * @param openEnded true for the steps of an agent that decides its own next step (a model in the
 *                  loop): the composer hands every such step to the planner, failed calls
 *                  included, and never ends the run itself. Added within v1: absent reads as false.
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
        Priority priority,
        @JsonSetter(nulls = Nulls.AS_EMPTY) boolean openEnded) implements Prioritized {

    /** The tool name of a model call: the worker calls the model named in its arguments. */
    public static final String MODEL_CALL = "model.chat";

    /** The key a tool uses to de-duplicate its own side effects: one per (run, step, task). */
    public String idempotencyKey() {
        return taskId;
    }
}
