package io.switchboard.gateway.runs;

import io.switchboard.events.Priority;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.gateway.idempotency.IdempotentRequests;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import io.switchboard.gateway.tenants.TenantPolicies;
import io.switchboard.platform.web.CorrelationIdFilter;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.Problems.FieldError;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.RunEventLog;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RunController {

    private static final Pattern CONVERSATION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final AgentDefinitions agents;
    private final RunAcceptance acceptance;
    private final RunCancellation cancellation;
    private final IdempotentRequests idempotency;
    private final TenantPolicies policies;
    private final RunEventLog runEvents;
    private final PlatformProperties platform;

    RunController(AgentDefinitions agents, RunAcceptance acceptance, RunCancellation cancellation,
                  IdempotentRequests idempotency, TenantPolicies policies, RunEventLog runEvents,
                  PlatformProperties platform) {
        this.agents = agents;
        this.acceptance = acceptance;
        this.cancellation = cancellation;
        this.idempotency = idempotency;
        this.policies = policies;
        this.runEvents = runEvents;
        this.platform = platform;
    }

    /** Accepts a run; with an {@code Idempotency-Key}, once per key. */
    @PostMapping("/v1/runs")
    ResponseEntity<?> create(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                             @RequestAttribute(CorrelationIdFilter.ATTRIBUTE) String correlationId,
                             @RequestHeader(name = IdempotentRequests.HEADER, required = false) String idempotencyKey,
                             @RequestBody CreateRunRequest request) {
        if (idempotencyKey == null) {
            return accept(tenantId, correlationId, request);
        }
        return idempotency.once(tenantId, idempotencyKey, request, () -> accept(tenantId, correlationId, request));
    }

    private ResponseEntity<?> accept(String tenantId, String correlationId, CreateRunRequest request) {
        if (request.agent() == null || request.agent().isBlank()) {
            throw invalid(List.of(new FieldError("agent", "is required")));
        }
        AgentDefinition agent = agents.find(tenantId, request.agent()).orElseThrow(() -> Problems.of(HttpStatus.NOT_FOUND,
                "Unknown agent", "There is no agent '" + request.agent() + "'; GET /v1/agents lists them."));
        Map<String, Object> input = request.input() == null ? Map.of() : request.input();
        List<FieldError> errors = new ArrayList<>(InputValidator.validate(agent, input));
        if (request.conversationId() != null && !CONVERSATION_ID.matcher(request.conversationId()).matches()) {
            errors.add(new FieldError("conversationId", "must be 1-128 of A-Z a-z 0-9 . _ : -"));
        }
        Priority priority = priority(request.priority(), errors);
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        policies.checkAllowed(tenantId, agent.name(), priority);
        checkModelConfigured(agent);
        String conversationId = request.conversationId() != null ? request.conversationId() : "conv-" + UUID.randomUUID();
        RunAcceptance.AcceptedRun run = acceptance.accept(tenantId, correlationId, agent, input, conversationId, priority);
        return ResponseEntity.accepted().location(URI.create("/v1/runs/" + run.runId())).body(run);
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

    @GetMapping("/v1/runs/{runId}")
    RunView get(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId, @PathVariable String runId) {
        List<RunEventLog.Entry> entries = runEvents.read(tenantId, runId, null);
        if (entries.isEmpty()) {
            throw Problems.runNotFound(runId);
        }
        return RunView.fold(runId, entries.stream().filter(RunEventLog.Entry::known).map(RunEventLog.Entry::event).toList());
    }

    /** Ends a run {@code cancelled}: its tasks not yet started are skipped and its event stream ends. */
    @PostMapping("/v1/runs/{runId}/cancel")
    RunView cancel(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId, @PathVariable String runId) {
        cancellation.cancel(tenantId, runId);
        return get(tenantId, runId);
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

    private static ErrorResponseException invalid(List<FieldError> errors) {
        return Problems.invalid("Invalid run request", errors);
    }
}
