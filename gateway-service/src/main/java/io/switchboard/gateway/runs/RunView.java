package io.switchboard.gateway.runs;

import io.switchboard.events.RunStatus;
import io.switchboard.events.stream.MessageDelta;
import io.switchboard.events.stream.ModelCompleted;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.stream.RunEvent;
import io.switchboard.events.stream.StepPlanned;
import io.switchboard.events.stream.StepResult;
import io.switchboard.events.stream.ToolResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A run as {@code GET /v1/runs/{id}} shows it: the fold of its event stream. */
record RunView(
        String runId,
        String conversationId,
        String agent,
        RunStatus status,
        Map<String, Object> output,
        List<ToolResult> toolCalls,
        String error,
        Instant createdAt,
        Instant deadline,
        Instant completedAt) {

    static RunView fold(String runId, List<RunEvent> events) {
        RunAccepted accepted = null;
        Map<String, ToolResult> toolCalls = new LinkedHashMap<>();
        RunEnded end = null;
        boolean started = false;
        for (RunEvent event : events) {
            switch (event) {
                case RunAccepted first -> accepted = first;
                case StepPlanned planned -> started = true;
                case StepResult step -> started = true;
                case ToolResult tool -> {
                    toolCalls.put(tool.taskId(), tool);
                    started = true;
                }
                case RunEnded last -> end = last;
                case MessageDelta delta -> started = true;
                case ModelCompleted model -> started = true;
            }
        }
        RunStatus status = end != null ? end.status() : started ? RunStatus.RUNNING : RunStatus.ACCEPTED;
        return new RunView(runId, accepted == null ? null : accepted.conversationId(),
                accepted == null ? null : accepted.agent(), status,
                end == null ? null : end.output(), new ArrayList<>(toolCalls.values()), end == null ? null : end.error(),
                accepted == null ? null : accepted.createdAt(), accepted == null ? null : accepted.deadline(),
                end == null ? null : end.completedAt());
    }
}
