package io.switchboard.gateway.agents;

import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.agents.InputField;
import io.switchboard.platform.AgentDefinitions;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
class AgentController {

    private final AgentDefinitions agents;

    AgentController(AgentDefinitions agents) {
        this.agents = agents;
    }

    @GetMapping("/v1/agents")
    Map<String, List<AgentSummary>> list() {
        return Map.of("agents", agents.all().stream().map(AgentSummary::of).toList());
    }

    record AgentSummary(String name, String description, Map<String, InputField> input, List<String> requireOneOf,
                        List<String> tools) {

        static AgentSummary of(AgentDefinition agent) {
            return new AgentSummary(agent.name(), agent.description(), agent.input(), agent.requireOneOf(),
                    agent.steps().stream().map(step -> step.tool()).toList());
        }
    }
}
