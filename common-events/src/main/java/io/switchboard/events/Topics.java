package io.switchboard.events;

import java.util.List;

/**
 * Kafka topic names, the same in every environment: an environment that shares a cluster with
 * another keeps apart by its own cluster or ACLs, not by renamed topics.
 */
public final class Topics {

    public static final String AGENT_REQUESTED = "agent.requested";
    public static final String AGENT_PLANNED = "agent.planned";
    public static final String AGENT_TOOL_CALLED = "agent.tool_called";
    public static final String AGENT_STEP_COMPLETED = "agent.step_completed";
    public static final String AGENT_COMPLETED = "agent.completed";

    /** Records a consumer cannot read go to {@code <topic>.dlt}, with the reason in headers. */
    public static final String DEAD_LETTER_SUFFIX = ".dlt";

    /** Header on a dead letter that says, in words, why it could not be handled. */
    public static final String FAILURE_REASON_HEADER = TaskQueues.FAILURE_REASON_HEADER;

    public static final List<String> ALL = List.of(
            AGENT_REQUESTED, AGENT_PLANNED, AGENT_TOOL_CALLED, AGENT_STEP_COMPLETED, AGENT_COMPLETED);

    private Topics() {
    }

    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
