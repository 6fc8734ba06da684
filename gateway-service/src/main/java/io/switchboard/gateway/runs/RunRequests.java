package io.switchboard.gateway.runs;

import io.switchboard.events.Priority;
import io.switchboard.gateway.tenants.TenantPolicies;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.Problems.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * A request for a run, from either door ({@code POST /v1/runs} or the OpenAI-compatible
 * {@code POST /v1/chat/completions}): the agent the tenant may run under that name, its input
 * checked against the agent's, the tenant's flags and a configured model, then accepted.
 */
@Component
public class RunRequests {

    private static final Pattern CONVERSATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final AgentDefinitions agents;
    private final RunAcceptance acceptance;
    private final TenantPolicies policies;
    private final PlatformProperties platform;

    RunRequests(AgentDefinitions agents, RunAcceptance acceptance, TenantPolicies policies, PlatformProperties platform) {
        this.agents = agents;
        this.acceptance = acceptance;
        this.policies = policies;
        this.platform = platform;
    }

    /**
     * Accepts the run, or throws the problem that says why not.
     *
     * @param history earlier turns of the conversation the client sent itself; a model agent starts from them
     */
    public RunAcceptance.AcceptedRun open(String tenantId, String correlationId, CreateRunRequest request,
                                          List<Map<String, Object>> history) {
        return open(tenantId, correlationId, agent(tenantId, request.agent()), request, history);
    }

    /** The same, for the agent {@link #agent} found under the request's name. */
    public RunAcceptance.AcceptedRun open(String tenantId, String correlationId, AgentDefinitions.Resolved resolved,
                                          CreateRunRequest request, List<Map<String, Object>> history) {
        AgentDefinition agent = resolved.definition();
        Map<String, Object> input = request.input() == null ? Map.of() : request.input();
        List<FieldError> errors = new ArrayList<>(InputValidator.validate(agent, input));
        if (request.conversationId() != null && !CONVERSATION_ID.matcher(request.conversationId()).matches()) {
            errors.add(new FieldError("conversationId", "must be 1-128 of A-Z a-z 0-9 . _ : -"));
        }
        Priority priority = priority(request.priority(), errors);
        if (!errors.isEmpty()) {
            throw Problems.invalid("Invalid run request", errors);
        }
        policies.checkAllowed(tenantId, agent.name(), priority);
        checkModelConfigured(agent);
        String conversationId = request.conversationId() != null ? request.conversationId() : "conv-" + UUID.randomUUID();
        return acceptance.accept(tenantId, correlationId, resolved, input, conversationId, priority, history);
    }

    /** The agent the tenant runs under this name; 404 if there is none, 422 if no name was given. */
    public AgentDefinitions.Resolved agent(String tenantId, String name) {
        if (name == null || name.isBlank()) {
            throw Problems.invalid("Invalid run request", List.of(new FieldError("agent", "is required")));
        }
        if (!AgentDefinitions.NAME.matcher(name).matches()) {
            throw Problems.of(HttpStatus.NOT_FOUND, "Unknown agent",
                    "There is no agent of that name: names match " + AgentDefinitions.NAME.pattern() + "; GET /v1/agents lists them.");
        }
        return agents.resolve(tenantId, name, 0).orElseThrow(() -> Problems.of(HttpStatus.NOT_FOUND,
                "Unknown agent", "There is no agent '" + name + "'; GET /v1/agents lists them."));
    }

    /**
     * Refuses (503, naming the missing settings) a model agent whose provider is not configured
     * here: no run is opened and no budget taken. Retrying does not help until an operator sets
     * them, so there is no {@code Retry-After}.
     */
    private void checkModelConfigured(AgentDefinition agent) {
        if (!agent.modelDriven()) {
            return;
        }
        platform.modelUnavailable(agent.model()).ifPresent(reason -> {
            ErrorResponseException problem = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Model not configured",
                    "Agent '" + agent.name() + "' cannot run here: " + reason + ".");
            problem.getBody().setProperty("missing", platform.modelSettingsMissing(agent.model()));
            throw problem;
        });
    }

    private static Priority priority(String priority, List<FieldError> errors) {
        if (priority == null || priority.equals("interactive")) {
            return Priority.INTERACTIVE;
        }
        if (priority.equals("background")) {
            return Priority.BACKGROUND;
        }
        errors.add(new FieldError("priority", "must be 'interactive' or 'background'"));
        return Priority.INTERACTIVE;
    }
}
