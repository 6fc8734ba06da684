package io.switchboard.syncchain;

import io.switchboard.syncchain.Messages.Outcome;
import io.switchboard.syncchain.Messages.Task;
import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.builtin.MathEvalTool;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The worker role: {@code POST /execute} runs one task with the platform's own {@code math.eval}
 * tool (the tools module's bean, the same code the worker runs), after waiting
 * {@code chain.tool-latency} (slow tools). A tool failure is an outcome with its reason, not an
 * HTTP error.
 */
@RestController
@ConditionalOnProperty(name = "chain.role", havingValue = "worker")
class WorkerController {

    private static final String TENANT = "sync-chain";

    private final Tool tool;
    private final Duration toolLatency;

    WorkerController(ChainProperties properties, MathEvalTool tool) {
        this.tool = tool;
        this.toolLatency = properties.toolLatency();
    }

    @PostMapping("/execute")
    Outcome execute(@RequestBody Task task) throws InterruptedException {
        if (toolLatency.isPositive()) {
            Thread.sleep(toolLatency);
        }
        Map<String, Object> args = task.args() == null ? Map.of() : task.args();
        if (!tool.name().equals(task.tool())) {
            return new Outcome(task.index(), task.tool(), args, false, null, "this worker has no tool '" + task.tool() + "'");
        }
        try {
            Map<String, Object> output = tool.execute(new ToolCall(TENANT, task.runId(), task.runId(), 1, task.runId() + "." + task.index(), args));
            return new Outcome(task.index(), task.tool(), args, true, output, null);
        } catch (ToolFailure failure) {
            return new Outcome(task.index(), task.tool(), args, false, null, failure.getMessage());
        }
    }
}
