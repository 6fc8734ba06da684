package io.switchboard.events.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import java.util.Map;

/**
 * {@code tool.succeeded} (with {@code output}) or {@code tool.failed} (with {@code error}): one
 * tool call's outcome.
 */
public record ToolResult(
        String taskId,
        int step,
        String tool,
        ToolStatus status,
        int attempts,
        long durationMs,
        boolean cached,
        Map<String, Object> args,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> output,
        @JsonInclude(JsonInclude.Include.NON_NULL) String error) implements RunEvent {

    public static final String SUCCEEDED = "tool.succeeded";
    public static final String FAILED = "tool.failed";

    public static ToolResult of(int step, ToolOutcome outcome) {
        return new ToolResult(outcome.taskId(), step, outcome.tool(), outcome.status(), outcome.attempts(),
                outcome.durationMs(), outcome.cached(), outcome.args(),
                outcome.succeeded() ? outcome.output() : null, outcome.succeeded() ? null : outcome.error());
    }

    @Override
    public String eventName() {
        return status == ToolStatus.SUCCEEDED ? SUCCEEDED : FAILED;
    }
}
