package io.switchboard.platform.agents;

import java.util.Map;

/**
 * One step of an agent: a tool, run once or once per element of {@code forEach}, with arguments
 * that may refer to {@code ${input.<field>}}, {@code ${item}} and {@code ${item.<path>}}.
 *
 * @param forEach {@code input.<field>} (an array of the input) or {@code previous.succeeded}
 *                (the successful outcomes of the step before); absent for a single task
 */
public record StepDefinition(
        String name,
        String tool,
        String forEach,
        Map<String, String> args) {

    public StepDefinition {
        args = args == null ? Map.of() : args;
    }
}
