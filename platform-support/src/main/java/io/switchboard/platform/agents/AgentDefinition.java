package io.switchboard.platform.agents;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An agent: the input it takes, and either the fixed steps that turn it into tool tasks or a model
 * that decides them (a model agent: {@code model} is set and {@code steps} is empty). A model
 * agent whose catalog entry declares no input takes {@link #MESSAGE}: {@code {"message": "..."}}.
 *
 * @param deadline    how long a run may take; a run still going after it ends {@code failed}
 *                    (five minutes when the catalog gives none)
 * @param maxFanOut   the most tasks one step of this agent may fan out to
 * @param maxTasks    the most tasks a whole run of this agent may have, over all its steps
 * @param tokens      the estimated tokens a run of this agent costs; a tenant needs that much
 *                    left in its budget for the run to be accepted
 * @param requireOneOf input fields of which at least one must be given
 * @param model        the model provider a model agent calls ({@code switchboard.models.<name>})
 * @param instructions a model agent's system prompt
 * @param prompt       instead of {@code instructions}: a prompt template of the catalog,
 *                     {@code <name>@<version>}, rendered with the run's input
 * @param tools        the tools a model agent may call; any other call is refused, not run
 * @param maxSteps     the most model calls of one run; a run that reaches it fails, saying so
 * @param maxOutputTokens the most tokens one model call may write
 * @param toolResultLimit the most characters of one tool result given back to the model
 * @param memoryTokens the most tokens of a conversation's earlier runs a run starts from
 * @param searchByMeaning whether this agent's ended runs are embedded, to be found by meaning as
 *                     well as by their words (true when the catalog says nothing): an agent whose
 *                     input and answer have no meaning worth finding (numbers, codes) saves the
 *                     embedding's CPU, about 10 ms a run
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
        List<StepDefinition> steps,
        String model,
        String instructions,
        String prompt,
        List<String> tools,
        int maxSteps,
        int maxOutputTokens,
        int toolResultLimit,
        int memoryTokens,
        Boolean searchByMeaning) {

    public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(5);

    /** The input of a model agent that declares none: the user's message. */
    public static final Map<String, InputField> MESSAGE = Map.of("message",
            new InputField("string", null, true, null, null, 20_000, "What to ask the agent."));

    public AgentDefinition {
        deadline = deadline == null ? DEFAULT_DEADLINE : deadline;
        input = input == null || input.isEmpty() ? (model != null ? MESSAGE : Map.of()) : input;
        requireOneOf = requireOneOf == null ? List.of() : requireOneOf;
        steps = steps == null ? List.of() : steps;
        tools = tools == null ? List.of() : tools;
        maxSteps = maxSteps > 0 ? maxSteps : 8;
        maxOutputTokens = maxOutputTokens > 0 ? maxOutputTokens : 1024;
        toolResultLimit = toolResultLimit > 0 ? toolResultLimit : 4000;
        memoryTokens = memoryTokens > 0 ? memoryTokens : 2000;
        searchByMeaning = searchByMeaning == null || searchByMeaning;
    }

    /** True if a model decides this agent's steps. */
    public boolean modelDriven() {
        return model != null;
    }

    /** The step at a 1-based position. */
    public StepDefinition step(int step) {
        return steps.get(step - 1);
    }

    public boolean isFinalStep(int step) {
        return step == steps.size();
    }
}
