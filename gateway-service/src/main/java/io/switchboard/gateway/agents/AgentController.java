package io.switchboard.gateway.agents;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.switchboard.events.ToolDescription;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.agents.InputField;
import io.switchboard.platform.agents.StepDefinition;
import io.switchboard.platform.agents.TenantAgent;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.Problems.FieldError;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The agents a client may run: the platform's, read-only, and those the tenant defines itself
 * ({@code PUT}, {@code GET}, {@code DELETE /v1/agents/{name}}), which no other tenant sees or runs.
 * Each is listed with the input it takes, the tools it uses and, for a model agent, its model
 * provider and whether that provider is configured here. {@code GET /v1/tools} lists the tools an
 * agent may name.
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
    Agents list(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId) {
        return new Agents(Stream.concat(agents.all().stream().map(agent -> summary(agent, null)),
                agents.tenantAgents(tenantId).stream().map(agent -> summary(agent.definition(), agent))).toList());
    }

    @GetMapping("/v1/agents/{name}")
    AgentSummary get(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId, @PathVariable String name) {
        if (agents.isPlatform(name)) {
            return summary(agents.find(name).orElseThrow(() -> notFound(name)), null);
        }
        TenantAgent agent = agents.tenantAgent(tenantId, name).orElseThrow(() -> notFound(name));
        return summary(agent.definition(), agent);
    }

    /** Defines the agent, or its next version: the next run of it uses this one. 201 when new, 200 when replaced. */
    @PutMapping("/v1/agents/{name}")
    ResponseEntity<AgentSummary> define(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                                        @PathVariable String name, @RequestBody Map<String, Object> body) {
        if (!AgentDefinitions.NAME.matcher(name).matches()) {
            throw Problems.invalid("Invalid agent definition", List.of(new FieldError("name",
                    "must be 1-64 of a-z 0-9 . _ - and start with a letter or digit")));
        }
        if (agents.isPlatform(name)) {
            throw readOnly(name);
        }
        boolean replacing = agents.tenantAgent(tenantId, name).isPresent();
        PlatformProperties.TenantAgentLimits limits = platform.agents().tenants();
        if (!replacing && agents.tenantAgentCount(tenantId) >= limits.perTenant()) {
            throw Problems.of(HttpStatus.CONFLICT, "Too many agents",
                    "A tenant may define " + limits.perTenant() + " agents; delete one first.");
        }
        List<FieldError> errors = new ArrayList<>();
        AgentDefinition definition = AgentDefinitionRequest.parse(name, body, new AgentDefinitionRequest.Checks(limits,
                platform.models().keySet(), agents.tools(tenantId).stream().map(ToolDescription::name).collect(Collectors.toSet()),
                prompt -> agents.prompt(prompt).isPresent()), errors);
        if (definition == null) {
            throw Problems.invalid("Invalid agent definition", errors);
        }
        TenantAgent stored = agents.define(tenantId, definition);
        return ResponseEntity.status(replacing ? HttpStatus.OK : HttpStatus.CREATED).location(URI.create("/v1/agents/" + name))
                .body(summary(definition, stored));
    }

    @DeleteMapping("/v1/agents/{name}")
    ResponseEntity<Void> delete(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId, @PathVariable String name) {
        if (agents.isPlatform(name)) {
            throw readOnly(name);
        }
        if (!AgentDefinitions.NAME.matcher(name).matches() || !agents.remove(tenantId, name)) {
            throw notFound(name);
        }
        return ResponseEntity.noContent().build();
    }

    /** The tools the tenant's agents may name, with what a model is shown of each. */
    @GetMapping("/v1/tools")
    Tools tools(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId) {
        return new Tools(agents.tools(tenantId));
    }

    private static ErrorResponseException notFound(String name) {
        return Problems.of(HttpStatus.NOT_FOUND, "Unknown agent", "There is no agent '" + name + "'; GET /v1/agents lists them.");
    }

    private static ErrorResponseException readOnly(String name) {
        return Problems.of(HttpStatus.FORBIDDEN, "Platform agent",
                "'" + name + "' is one of the platform's agents, which are read-only; define yours under another name.");
    }

    /** {@code tenant} is the stored definition of an agent the tenant defined; null for the platform's. */
    private AgentSummary summary(AgentDefinition agent, TenantAgent tenant) {
        String owner = tenant == null ? "platform" : "tenant";
        if (!agent.modelDriven()) {
            return new AgentSummary(agent.name(), owner, agent.description(), agent.input(), agent.requireOneOf(),
                    agent.steps().stream().map(StepDefinition::tool).toList(), null, true, null, null, null, null);
        }
        String unavailable = platform.modelUnavailable(agent.model()).orElse(null);
        return new AgentSummary(agent.name(), owner, agent.description(), agent.input(), agent.requireOneOf(), agent.tools(),
                agent.model(), unavailable == null, unavailable, tenant == null ? null : tenant.version(),
                tenant == null ? null : tenant.updatedAt(), tenant == null ? null : definition(agent));
    }

    /** A tenant's agent as {@code PUT} takes it, so that what was read can be sent back changed. */
    private static Map<String, Object> definition(AgentDefinition agent) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("description", agent.description());
        fields.put("model", agent.model());
        fields.put("instructions", agent.instructions());
        fields.put("prompt", agent.prompt());
        fields.put("tools", agent.tools());
        fields.put("maxSteps", agent.maxSteps());
        fields.put("maxTasks", agent.maxTasks());
        fields.put("maxFanOut", agent.maxFanOut());
        fields.put("tokens", agent.tokens());
        fields.put("maxOutputTokens", agent.maxOutputTokens());
        fields.put("toolResultLimit", agent.toolResultLimit());
        fields.put("memoryTokens", agent.memoryTokens());
        fields.put("deadline", agent.deadline().toSeconds() + "s");
        fields.values().removeIf(value -> value == null);
        return fields;
    }

    record Agents(List<AgentSummary> agents) {
    }

    record Tools(List<ToolDescription> tools) {
    }

    /**
     * @param owner       {@code platform} for the platform's agents, {@code tenant} for the tenant's own
     * @param tools       the tools a run may call: a fixed agent's steps', or those a model agent may choose from
     * @param model       a model agent's provider ({@code switchboard.models.<model>}); absent for a fixed agent
     * @param available   whether a run of this agent can be accepted here
     * @param unavailable why not, naming the setting that is missing; absent when available
     * @param version     a tenant's agent: the version of its definition, from 1
     * @param definition  a tenant's agent: its definition as {@code PUT} takes it
     */
    record AgentSummary(String name, String owner, String description, Map<String, InputField> input, List<String> requireOneOf,
                        List<String> tools,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String model,
                        boolean available,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String unavailable,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Integer version,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Instant updatedAt,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Object> definition) {
    }
}
