package io.switchboard.gateway.runs;

import io.switchboard.gateway.idempotency.IdempotentRequests;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import io.switchboard.platform.web.CorrelationIdFilter;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.RunEventLog;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
class RunController {

    private final RunRequests requests;
    private final RunCancellation cancellation;
    private final IdempotentRequests idempotency;
    private final RunHistory history;

    RunController(RunRequests requests, RunCancellation cancellation, IdempotentRequests idempotency, RunHistory history) {
        this.requests = requests;
        this.cancellation = cancellation;
        this.idempotency = idempotency;
        this.history = history;
    }

    /** Accepts a run; with an {@code Idempotency-Key}, once per key. */
    @PostMapping("/v1/runs")
    @ApiResponse(responseCode = "202", description = "Kafka has the run; follow it at Location or its events.",
            headers = @Header(name = "Location", description = "/v1/runs/{runId}", schema = @Schema(type = "string")),
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = RunAcceptance.AcceptedRun.class),
                    examples = @ExampleObject(value = """
                            {"runId": "0b0f6c1e-6d0e-4a8e-9a51-6f1d8f0b9a11", "conversationId": "conv-5d1c2e7a-3f0b-4c55-9a7e-2b8d9c0e1f23", \
                            "status": "accepted", "correlationId": "6a1f0d3e-2b4c-4d5e-8f90-1a2b3c4d5e6f"}""")))
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
        RunAcceptance.AcceptedRun run = requests.open(tenantId, correlationId, request, List.of());
        return ResponseEntity.accepted().location(URI.create("/v1/runs/" + run.runId())).body(run);
    }

    @GetMapping("/v1/runs/{runId}")
    RunView get(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId, @PathVariable String runId) {
        List<RunEventLog.Entry> entries = history.read(tenantId, runId, null);
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
}
