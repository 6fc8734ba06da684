package io.switchboard.worker.execution;

import io.switchboard.events.EventCodec;
import io.switchboard.events.ToolTask;
import io.switchboard.platform.Outages;
import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import io.switchboard.worker.models.ModelRequest;
import io.switchboard.worker.tools.ToolOutputCache;
import io.switchboard.worker.tools.Tools;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * Calls the tool a task names: within the tool's timeout, on a virtual thread; the output of a
 * deterministic tool is cached under {@link #cacheKey} (by {@link TaskLedger}). An output larger than
 * {@code switchboard.runs.max-tool-output} fails the call.
 */
@Component
class ToolCalls {

    private final Tools tools;
    private final ToolOutputCache outputs;
    private final long maxOutput;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    ToolCalls(Tools tools, ToolOutputCache outputs, @Value("${switchboard.runs.max-tool-output:2MB}") DataSize maxOutput) {
        this.tools = tools;
        this.outputs = outputs;
        this.maxOutput = maxOutput.toBytes();
    }

    ToolMetadata metadata(ToolTask task) {
        return tools.metadata(task.tool());
    }

    /**
     * The tokens to reserve for the task: for a model call what its arguments ask for (the answer's
     * {@code maxTokens} and an estimate of the prompt), else the tool's estimate.
     */
    long tokens(ToolTask task, ToolMetadata metadata) {
        return ToolTask.MODEL_CALL.equals(task.tool()) ? ModelRequest.reservation(task.args()) : metadata.tokens();
    }

    /** Where this call's output is cached, if the tool is deterministic; else null. */
    String cacheKey(String tenantId, ToolTask task, ToolMetadata metadata) {
        return outputs.keyOf(tenantId, metadata, task.args());
    }

    /** The tool's output; a {@link ToolFailure} says why there is none. */
    Map<String, Object> call(String tenantId, ToolTask task, ToolMetadata metadata, int attempt) {
        Tool tool = tools.tool(tenantId, task.tool())
                .orElseThrow(() -> ToolFailure.permanent("this worker has no tool '" + task.tool() + "'"));
        ToolCall call = new ToolCall(tenantId, task.conversationId(), task.runId(), task.step(), task.idempotencyKey(),
                task.args() == null ? Map.of() : task.args(), attempt);
        Future<Map<String, Object>> result = calls.submit(() -> tool.execute(call));
        Map<String, Object> output;
        try {
            output = result.get(metadata.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            throw ToolFailure.transientFailure(task.tool() + " took longer than " + metadata.timeout(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ToolFailure.transientFailure(task.tool() + " was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ToolFailure failure) {
                throw failure;
            }
            if (e.getCause() instanceof RuntimeException outage && Outages.isOutage(outage)) {
                throw outage; // Redis or Kafka unreachable inside the tool: waited out, as anywhere else
            }
            throw ToolFailure.permanent(task.tool() + " failed: " + e.getCause());
        }
        long size = EventCodec.mapper().writeValueAsBytes(output).length;
        if (size > maxOutput) {
            throw ToolFailure.permanent(task.tool() + " returned " + size + " bytes, more than a tool may return (" + maxOutput
                    + ", switchboard.runs.max-tool-output)");
        }
        return output;
    }
}
