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
 * @param lane      the Kafka lane ({@link Topics#lane}) its outcome takes: its run's lane, which is
 *                  its priority class unless the run's tenant was over its share of the
 *                  interactive lane when the run was accepted. Added within v1: absent reads as
 *                  {@code priority}.
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
        @JsonSetter(nulls = Nulls.AS_EMPTY) boolean openEnded,
        Priority lane) implements Prioritized {

    public ToolTask {
        lane = lane == null ? priority : lane;
    }

    /** A task whose outcome takes the lane of its priority class. */
    public ToolTask(String taskId, String runId, String conversationId, String agent, int step, int index, int taskCount,
                    boolean finalStep, String tool, Map<String, Object> args, Priority priority, boolean openEnded) {
        this(taskId, runId, conversationId, agent, step, index, taskCount, finalStep, tool, args, priority, openEnded, priority);
    }

    /** The tool name of a model call: the worker calls the model named in its arguments. */
    public static final String MODEL_CALL = "model.chat";

    /** The key a tool uses to de-duplicate its own side effects: one per (run, step, task). */
    public String idempotencyKey() {
        return taskId;
    }
}
