package io.switchboard.events.testing;

import io.switchboard.events.PlannedTask;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.stream.StepPlanned;
import io.switchboard.events.stream.ToolResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Run-stream events for tests that write a run's stream directly. */
public final class RunEventSamples {

    private RunEventSamples() {
    }

    public static RunAccepted accepted(String runId, Instant deadline) {
        return new RunAccepted(runId, "conv-" + runId, "calculator", Priority.INTERACTIVE, "corr-" + runId,
                deadline.minusSeconds(60), deadline);
    }

    public static StepPlanned planned(String runId, int step) {
        return new StepPlanned(step, "evaluate", List.of(new PlannedTask(runId + ".s" + step + ".t0", "math.eval", 0)));
    }

    public static ToolResult toolSucceeded(String taskId) {
        return new ToolResult(taskId, 1, "math.eval", ToolStatus.SUCCEEDED, 1, 2, false,
                Map.of("expression", "1"), Map.of("value", 1), null);
    }

    public static RunEnded completed(Map<String, Object> output) {
        return new RunEnded(RunStatus.SUCCEEDED, output, null, Instant.now());
    }

    public static RunEnded cancelled() {
        return new RunEnded(RunStatus.CANCELLED, null, "cancelled by the client", Instant.now());
    }
}
