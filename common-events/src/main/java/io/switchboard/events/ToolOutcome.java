package io.switchboard.events;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Map;

/**
 * What one tool call came to.
 *
 * @param cached true if the output was served from the tool-output cache instead of running the
 *               tool; added within v1, so a payload without it reads as false
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
        @JsonSetter(nulls = Nulls.AS_EMPTY) boolean cached) {

    public boolean succeeded() {
        return status == ToolStatus.SUCCEEDED;
    }
}
