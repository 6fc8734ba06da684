package io.switchboard.syncchain;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The JSON bodies the roles pass along the chain. */
final class Messages {

    private Messages() {
    }

    /** {@code POST /v1/runs}: the run a client asks for. */
    record RunRequest(String agent, Map<String, Object> input) {
    }

    /** {@code POST /plan}: an accepted run. */
    record PlanRequest(String runId, String agent, List<String> expressions) {
    }

    /** {@code POST /execute}: one tool call of a run. */
    record Task(String runId, int index, String tool, Map<String, Object> args) {
    }

    /** The answer of {@code /execute}: the tool's output, or the reason it has none. */
    record Outcome(int index, String tool, Map<String, Object> args, boolean succeeded, Map<String, Object> output,
                   String error) {
    }

    /** {@code POST /compose}: a run's outcomes. */
    record CompositionRequest(String runId, String agent, List<Outcome> outcomes) {
    }

    /** The answer of {@code /compose}, and so of {@code /plan}. */
    record Composition(String status, Map<String, Object> result) {
    }

    /** The answer of {@code POST /v1/runs}: the finished run. */
    record RunResponse(String runId, String status, Map<String, Object> result, Instant createdAt, Instant completedAt) {
    }
}
