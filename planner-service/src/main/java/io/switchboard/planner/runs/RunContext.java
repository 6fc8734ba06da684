package io.switchboard.planner.runs;

import io.switchboard.events.Priority;
import java.util.Map;

/** What the planner keeps of a run between its steps. */
public record RunContext(String agent, String conversationId, Map<String, Object> input, Priority priority) {
}
