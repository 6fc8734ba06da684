package io.switchboard.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Map;

/**
 * What one tool call came to.
 *
 * @param cached    true if the output was served from the tool-output cache instead of running the
 *                  tool; added within v1, so a payload without it reads as false
 * @param outputRef set when the arguments and output were too large to travel in events (a claim
 *                  check): where the run's outputs keep them ({@code run-outputs/<taskId>}), read back
 *                  with the platform's {@code ToolOutputs}; {@code args} is then empty and
 *                  {@code output} null. Added within v1, absent when both are inline
 */
public record ToolOutcome(
        String taskId,
        String tool,
        int index,
        Map<String, Object> args,
        ToolStatus status,
        Map<String, Object> output,
        String error,
        int attempts,
        long durationMs,
        @JsonSetter(nulls = Nulls.AS_EMPTY) boolean cached,
        @JsonInclude(JsonInclude.Include.NON_NULL) String outputRef) {

    /** An outcome whose output is inline. */
    public ToolOutcome(String taskId, String tool, int index, Map<String, Object> args, ToolStatus status,
                       Map<String, Object> output, String error, int attempts, long durationMs, boolean cached) {
        this(taskId, tool, index, args, status, output, error, attempts, durationMs, cached, null);
    }

    /** The same outcome with these arguments and output inline, or kept aside under {@code ref}. */
    public ToolOutcome with(Map<String, Object> args, Map<String, Object> output, String ref) {
        return new ToolOutcome(taskId, tool, index, args, status, output, error, attempts, durationMs, cached, ref);
    }

    public boolean succeeded() {
        return status == ToolStatus.SUCCEEDED;
    }
}
