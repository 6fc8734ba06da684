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

    /**
     * The topics where work waits for a consumer have a lane per priority class: interactive work
     * on the topic itself, background work on {@code <topic>.background}, consumed apart so that a
     * backlog of background work does not hold up interactive runs at any hop ({@link #lane}). A
     * tenant over its share of the interactive lane sends its interactive runs down the background
     * lane too; a run keeps the lane it was requested on at every hop ({@link ToolTask#lane}).
     */
    public static final String BACKGROUND_SUFFIX = ".background";
    public static final String AGENT_REQUESTED_BACKGROUND = "agent.requested.background";
    public static final String AGENT_TOOL_CALLED_BACKGROUND = "agent.tool_called.background";
    public static final String AGENT_STEP_COMPLETED_BACKGROUND = "agent.step_completed.background";

    /** Records a consumer cannot read go to {@code <topic>.dlt}, with the reason in headers. */
    public static final String DEAD_LETTER_SUFFIX = ".dlt";

    /** Header on a dead letter that says, in words, why it could not be handled. */
    public static final String FAILURE_REASON_HEADER = TaskQueues.FAILURE_REASON_HEADER;

    public static final List<String> ALL = List.of(
            AGENT_REQUESTED, AGENT_PLANNED, AGENT_TOOL_CALLED, AGENT_STEP_COMPLETED, AGENT_COMPLETED,
            AGENT_REQUESTED_BACKGROUND, AGENT_TOOL_CALLED_BACKGROUND, AGENT_STEP_COMPLETED_BACKGROUND);

    private Topics() {
    }

    /** The lane of {@code topic} (one of those with lanes) that work of this priority class takes. */
    public static String lane(String topic, Priority priority) {
        return priority == Priority.BACKGROUND ? topic + BACKGROUND_SUFFIX : topic;
    }

    /** Which lane a topic is: the class whose {@link #lane} it is, whatever the priority of the runs on it. */
    public static Priority laneOf(String lane) {
        return lane.endsWith(BACKGROUND_SUFFIX) ? Priority.BACKGROUND : Priority.INTERACTIVE;
    }

    public static String deadLetter(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
