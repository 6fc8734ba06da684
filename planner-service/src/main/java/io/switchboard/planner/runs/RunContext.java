package io.switchboard.planner.runs;

import io.switchboard.events.Priority;
import java.util.Map;

/**
 * What the planner keeps of a run between its steps.
 *
 * @param agentVersion the version of a tenant's agent the run was accepted with; 0 for the platform's
 * @param lane         the Kafka lane the run was requested on, which its tasks' outcomes take
 *                     ({@link io.switchboard.events.ToolTask#lane}); absent reads as {@code priority}
 */
public record RunContext(String agent, String conversationId, Map<String, Object> input, Priority priority, int agentVersion,
                         Priority lane) {

    public RunContext {
        lane = lane == null ? priority : lane;
    }
}
