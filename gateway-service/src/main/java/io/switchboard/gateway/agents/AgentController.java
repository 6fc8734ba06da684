package io.switchboard.gateway.agents;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.agents.InputField;
import io.switchboard.platform.agents.StepDefinition;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The agents a client may run, with the input each takes, the tools it uses and, for a model
 * agent, its model provider and whether that provider is configured here.
 */
@RestController
class AgentController {

    private final AgentDefinitions agents;
    private final PlatformProperties platform;

    AgentController(AgentDefinitions agents, PlatformProperties platform) {
        this.agents = agents;
        this.platform = platform;
    }

    @GetMapping("/v1/agents")
    Map<String, List<AgentSummary>> list() {
        return Map.of("agents", agents.all().stream().map(this::summary).toList());
    }

    private AgentSummary summary(AgentDefinition agent) {
        if (!agent.modelDriven()) {
            return new AgentSummary(agent.name(), agent.description(), agent.input(), agent.requireOneOf(),
                    agent.steps().stream().map(StepDefinition::tool).toList(), null, true, null);
        }
        String unavailable = platform.modelUnavailable(agent.model()).orElse(null);
        return new AgentSummary(agent.name(), agent.description(), agent.input(), agent.requireOneOf(), agent.tools(),
                agent.model(), unavailable == null, unavailable);
    }

    /**
     * @param tools       the tools a run may call: a fixed agent's steps', or those a model agent may choose from
     * @param model       a model agent's provider ({@code switchboard.models.<model>}); absent for a fixed agent
     * @param available   whether a run of this agent can be accepted here
     * @param unavailable why not, naming the setting that is missing; absent when available
     */
    record AgentSummary(String name, String description, Map<String, InputField> input, List<String> requireOneOf,
                        List<String> tools,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String model,
                        boolean available,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String unavailable) {
    }
}
