package io.switchboard.planner.planning;

import io.switchboard.events.EventCodec;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.agents.AgentDefinition;
import io.switchboard.events.agents.StepDefinition;
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

    StepPlanner(int platformMaxFanOut) {
        this.platformMaxFanOut = platformMaxFanOut;
    }

    List<ToolCall> plan(AgentDefinition agent, int step, Map<String, Object> input, List<ToolOutcome> previous) {
        StepDefinition definition = agent.step(step);
        List<?> items = items(definition, input, previous);
        int cap = agent.maxFanOut() > 0 ? Math.min(agent.maxFanOut(), platformMaxFanOut) : platformMaxFanOut;
        if (items.size() > cap) {
            throw new PlanRefusedException("step " + step + " (" + definition.name() + ") would fan out to "
                    + items.size() + " tasks; the cap for agent " + agent.name() + " is " + cap);
        }
        if (items.isEmpty()) {
            throw new PlanRefusedException("step " + step + " (" + definition.name() + ") has nothing to work on");
        }
        List<ToolCall> calls = new ArrayList<>();
        for (Object item : items) {
            Map<String, Object> scope = new HashMap<>();
            scope.put("input", input);
            scope.put("item", item);
            calls.add(new ToolCall(definition.tool(), ArgumentTemplate.resolve(definition.args(), scope)));
        }
        return calls;
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

    record ToolCall(String tool, Map<String, Object> args) {
    }
}
