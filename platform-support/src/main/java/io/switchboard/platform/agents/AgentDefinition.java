package io.switchboard.platform.agents;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An agent: the input it takes and the steps that turn it into tool tasks.
 *
 * @param deadline    how long a run may take; a run still going after it ends {@code failed}
 *                    (five minutes when the catalog gives none)
 * @param maxFanOut   the most tasks one step of this agent may fan out to
 * @param maxTasks    the most tasks a whole run of this agent may have, over all its steps
 * @param tokens      the estimated tokens a run of this agent costs; a tenant needs that much
 *                    left in its budget for the run to be accepted
 * @param requireOneOf input fields of which at least one must be given
 */
public record AgentDefinition(
        String name,
        String description,
        Duration deadline,
        int maxFanOut,
        int maxTasks,
        long tokens,
        Map<String, InputField> input,
        List<String> requireOneOf,
        List<StepDefinition> steps) {

    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(5);

    public AgentDefinition {
        deadline = deadline == null ? DEFAULT_DEADLINE : deadline;
        input = input == null ? Map.of() : input;
        requireOneOf = requireOneOf == null ? List.of() : requireOneOf;
        steps = steps == null ? List.of() : steps;
    }

    /** The step at a 1-based position. */
    public StepDefinition step(int step) {
        return steps.get(step - 1);
    }

    public boolean isFinalStep(int step) {
        return step == steps.size();
    }
}
