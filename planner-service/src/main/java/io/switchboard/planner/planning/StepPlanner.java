package io.switchboard.planner.planning;

import io.switchboard.events.EventCodec;
import io.switchboard.events.ToolOutcome;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.agents.StepDefinition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one step of an agent into tool calls, deterministically: the same agent, input and
 * previous outcomes give the same calls. A step beyond its fan-out cap is refused, never cut short.
 */
final class StepPlanner {

    private final int platformMaxFanOut;
    private final int platformMaxRunTasks;

    StepPlanner(int platformMaxFanOut, int platformMaxRunTasks) {
        this.platformMaxFanOut = platformMaxFanOut;
        this.platformMaxRunTasks = platformMaxRunTasks;
    }

    /**
     * The step's calls; {@code earlierTasks} is how many tasks the run's earlier steps had. Beyond
     * the step's cap or the run's cap (the agent's, within the platform's), the plan is refused.
     */
    List<PlannedStep.Call> plan(AgentDefinition agent, int step, Map<String, Object> input, List<ToolOutcome> previous,
                        int earlierTasks) {
        StepDefinition definition = agent.step(step);
        List<?> items = items(definition, input, previous);
        int cap = cap(agent.maxFanOut(), platformMaxFanOut);
        if (items.size() > cap) {
            throw new PlanRefusedException("step " + step + " (" + definition.name() + ") would fan out to "
                    + items.size() + " tasks; the cap for agent " + agent.name() + " is " + cap);
        }
        int runCap = cap(agent.maxTasks(), platformMaxRunTasks);
        if (earlierTasks + items.size() > runCap) {
            throw new PlanRefusedException("step " + step + " (" + definition.name() + ") would bring the run to "
                    + (earlierTasks + items.size()) + " tasks; the cap per run for agent " + agent.name() + " is " + runCap);
        }
        if (items.isEmpty()) {
            throw new PlanRefusedException("step " + step + " (" + definition.name() + ") has nothing to work on");
        }
        List<PlannedStep.Call> calls = new ArrayList<>();
        for (Object item : items) {
            Map<String, Object> scope = new HashMap<>();
            scope.put("input", input);
            scope.put("item", item);
            calls.add(new PlannedStep.Call(definition.tool(), ArgumentTemplate.resolve(definition.args(), scope)));
        }
        return calls;
    }

    private static int cap(int agentCap, int platformCap) {
        return agentCap > 0 ? Math.min(agentCap, platformCap) : platformCap;
    }

    private static List<?> items(StepDefinition step, Map<String, Object> input, List<ToolOutcome> previous) {
        String source = step.forEach();
        if (source == null) {
            return java.util.Collections.singletonList(null);
        }
        if (source.equals("previous.succeeded")) {
            return previous.stream().filter(ToolOutcome::succeeded)
                    .map(outcome -> EventCodec.mapper().convertValue(outcome, Map.class)).toList();
        }
        if (source.startsWith("input.") && ArgumentTemplate.lookup(source, Map.of("input", input)) instanceof List<?> list) {
            return list;
        }
        throw new PlanRefusedException("step " + step.name() + " iterates over '" + source + "', which is not a list");
    }
}
