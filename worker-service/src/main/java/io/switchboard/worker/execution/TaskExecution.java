package io.switchboard.worker.execution;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventIds;
import io.switchboard.events.EventCodec;
import io.switchboard.events.EventTypes;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.events.UnsupportedEventException;
import io.switchboard.platform.EventPublisher;
import io.switchboard.platform.Outages;
import io.switchboard.platform.ProcessedEvents;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.worker.tools.Tool;
import io.switchboard.worker.tools.ToolCall;
import io.switchboard.worker.tools.ToolFailure;
import io.switchboard.worker.tools.ToolMetadata;
import io.switchboard.worker.tools.ToolOutputCache;
import io.switchboard.worker.tools.Tools;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.stereotype.Service;

/**
 * Runs one delivery of a tool task. The outcome is published as {@code agent.tool_called} and
 * acknowledged by Kafka before the task is acked; a failure that may pass goes to a retry tier,
 * a final failure to the dead-letter queue and, as a failed outcome, to the run, so it never hangs.
 * A task that cannot be read is dead-lettered at once; a task whose run has ended is skipped.
 * A deterministic tool's call that was made before is answered from the tool-output cache.
 * When Redis or Kafka is unreachable the task waits on a retry tier without spending an attempt.
 * A task's estimated tokens are reserved from its run's and tenant's budgets before the tool runs
 * (a task over budget fails with the reason) and given back if the call failed. An output served
 * from the tool-output cache costs none.
 */
@Service
class TaskExecution {

    private static final Logger LOG = LoggerFactory.getLogger(TaskExecution.class);
    static final String SOURCE = "/switchboard/worker-service";
    private static final String TASK_TYPE = EventTypes.typeName(ToolTask.class);

    private final Tools tools;
    private final ToolOutputCache outputs;
    private final TaskRouting routing;
    private final EventPublisher events;
    private final ProcessedEvents processed;
    private final RunEventLog runEvents;
    private final TokenBudgets budgets;
    private final MeterRegistry meters;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    TaskExecution(Tools tools, ToolOutputCache outputs, TaskRouting routing, EventPublisher events, ProcessedEvents processed,
                  RunEventLog runEvents, TokenBudgets budgets, MeterRegistry meters) {
        this.budgets = budgets;
        this.tools = tools;
        this.outputs = outputs;
        this.routing = routing;
        this.events = events;
        this.processed = processed;
        this.runEvents = runEvents;
        this.meters = meters;
    }

    void handle(Message message) {
        Envelope envelope;
        ToolTask task;
        try {
            envelope = Envelope.fromHeaders(name -> header(message, name));
            if (!TASK_TYPE.equals(envelope.type())) {
                throw new UnsupportedEventException("unsupported task type '" + envelope.type() + "'; this worker takes " + TASK_TYPE);
            }
            task = EventCodec.decode(ToolTask.class, message.getBody());
        } catch (UnsupportedEventException unreadable) {
            LOG.warn("dead-lettering unreadable task {}: {}", message.getMessageProperties().getMessageId(), unreadable.getMessage());
            routing.deadLetter(message, unreadable.getMessage(), unreadable.getClass().getName(), attempt(message));
            meters.counter("switchboard.tool.executions", "tool", "unknown", "outcome", "unreadable").increment();
            return;
        }
        try {
            execute(message, envelope, task);
        } catch (RuntimeException failure) {
            if (!Outages.isOutage(failure)) {
                throw failure;
            }
            LOG.warn("task {} met an outage and waits to be tried again: {}", task.taskId(), failure.toString());
            routing.retryLater(message);
            count(task, "outage");
        }
    }

    private void execute(Message message, Envelope envelope, ToolTask task) {
        if (processed.done(task.taskId())) {
            LOG.info("task {} was finished before; skipping the redelivery", task.taskId());
            return;
        }
        Optional<String> ended = runEvents.ended(envelope.tenantId(), task.runId());
        if (ended.isPresent()) {
            LOG.info("run {} ended with {}; skipping task {}", task.runId(), ended.get(), task.taskId());
            count(task, "skipped");
            return;
        }
        int attempt = attempt(message);
        ToolMetadata metadata = tools.metadata(task.tool());
        long started = System.nanoTime();
        Optional<Map<String, Object>> cached = outputs.find(envelope.tenantId(), metadata, task.args());
        if (cached.isPresent()) {
            publish(envelope, task, outcome(task, ToolStatus.SUCCEEDED, cached.get(), null, attempt, started, true));
            count(task, "cached");
            processed.markDone(task.taskId());
            return;
        }
        Optional<String> overBudget = budgets.reserve(envelope.tenantId(), task.runId(), task.taskId(), metadata.tokens());
        if (overBudget.isPresent()) {
            LOG.info("task {} not run: {}", task.taskId(), overBudget.get());
            publish(envelope, task, outcome(task, ToolStatus.FAILED, null, overBudget.get(), attempt, started, false));
            count(task, "over_budget");
            processed.markDone(task.taskId());
            return;
        }
        try {
            Map<String, Object> output = call(envelope, task, metadata);
            outputs.store(envelope.tenantId(), metadata, task.args(), output);
            publish(envelope, task, outcome(task, ToolStatus.SUCCEEDED, output, null, attempt, started, false));
            count(task, "succeeded");
        } catch (ToolFailure failure) {
            budgets.release(envelope.tenantId(), task.runId(), task.taskId());
            if (failure.retryable() && attempt < metadata.maxAttempts()) {
                LOG.info("task {} attempt {} failed, retrying: {}", task.taskId(), attempt, failure.getMessage());
                routing.retry(message, attempt + 1);
                count(task, "retried");
                return;
            }
            publish(envelope, task, outcome(task, ToolStatus.FAILED, null, failure.getMessage(), attempt, started, false));
            routing.deadLetter(message, failure.getMessage(), failure.getClass().getName(), attempt);
            count(task, "failed");
        }
        processed.markDone(task.taskId());
    }

    private Map<String, Object> call(Envelope envelope, ToolTask task, ToolMetadata metadata) {
        Tool tool = tools.tool(task.tool())
                .orElseThrow(() -> ToolFailure.permanent("this worker has no tool '" + task.tool() + "'"));
        ToolCall call = new ToolCall(envelope.tenantId(), task.conversationId(), task.idempotencyKey(),
                task.args() == null ? Map.of() : task.args());
        Future<Map<String, Object>> result = calls.submit(() -> tool.execute(call));
        try {
            return result.get(metadata.timeout().toMillis(), TimeUnit.MILLISECONDS);
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
            throw ToolFailure.permanent(task.tool() + " failed: " + e.getCause());
        }
    }

    private void publish(Envelope cause, ToolTask task, ToolOutcome outcome) {
        Envelope envelope = cause.next(EventIds.toolCalled(task.taskId()), SOURCE, ToolCalled.class);
        events.publish(Topics.AGENT_TOOL_CALLED, task.conversationId(), envelope, ToolCalled.of(task, outcome));
    }

    private static ToolOutcome outcome(ToolTask task, ToolStatus status, Map<String, Object> output, String error,
                                       int attempt, long started, boolean cached) {
        return new ToolOutcome(task.taskId(), task.tool(), task.index(), task.args(), status, output, error, attempt,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), cached);
    }

    private void count(ToolTask task, String outcome) {
        meters.counter("switchboard.tool.executions", "tool", task.tool(), "outcome", outcome).increment();
    }

    private static int attempt(Message message) {
        Object attempt = message.getMessageProperties().getHeaders().get(TaskQueues.ATTEMPT_HEADER);
        return attempt instanceof Number number ? number.intValue() : 1;
    }

    private static String header(Message message, String name) {
        Object value = message.getMessageProperties().getHeaders().get(name);
        return value == null ? null : value.toString();
    }
}
