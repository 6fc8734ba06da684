package io.switchboard.events;

import java.util.Map;

/** What one tool call came to. */
public record ToolOutcome(
        String taskId,
        String tool,
        int index,
        Map<String, Object> args,
        ToolStatus status,
        Map<String, Object> output,
        String error,
        int attempts,
        long durationMs) {

    public boolean succeeded() {
        return status == ToolStatus.SUCCEEDED;
    }
}
