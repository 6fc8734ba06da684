package io.switchboard.planner.runs;

import io.switchboard.events.Priority;
import java.util.Map;

/**
 * What the planner keeps of a run between its steps.
 *
 * @param agentVersion the version of a tenant's agent the run was accepted with; 0 for the platform's
 */
public record RunContext(String agent, String conversationId, Map<String, Object> input, Priority priority, int agentVersion) {
}
