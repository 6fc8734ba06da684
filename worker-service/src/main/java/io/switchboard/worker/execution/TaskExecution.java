package io.switchboard.worker.execution;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.EventTypes;
import io.switchboard.events.TaskQueues;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.ToolTask;
import io.switchboard.events.UnsupportedEventException;
import io.switchboard.platform.Outages;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.stereotype.Service;

/**
 * Runs one delivery of a tool task. The outcome is published as {@code agent.tool_called} and
 * acknowledged by Kafka before the task is acked; a failure that may pass goes to a retry tier,
 * a final failure to the dead-letter queue and, as a failed outcome, to the run, so it never hangs.
 * A task that cannot be read is dead-lettered at once; a task whose run has ended is skipped, and
 * one whose run ended while it ran and failed (a model call stopped part-way) is dropped.
 * A deterministic tool's call that was made before is answered from the tool-output cache.
 * When Redis or Kafka is unreachable the task waits on a retry tier without spending an attempt.
 * A task's estimated tokens are reserved from its run's and tenant's budgets before the tool runs
 * (a task over budget fails with the reason) and given back if the call failed; a model call
 * reserves what its own arguments ask for, and settles to the provider's reported usage itself.
 * A failure that says when to try again ({@link ToolFailure#retryAfter()}) waits at least that long, a wait longer than
 * the longest retry tier held again on arrival without spending an attempt. An output served
 * from the tool-output cache costs none. Every way a task ends goes through {@link #finish}.
 */
@Service
class TaskExecution {

    private static final Logger LOG = LoggerFactory.getLogger(TaskExecution.class);
    private static final String TASK_TYPE = EventTypes.typeName(ToolTask.class);

    private final ToolCalls tools;
    private final TaskRouting routing;
    private final TaskLedger ledger;
    private final MeterRegistry meters;

    TaskExecution(ToolCalls tools, TaskRouting routing, TaskLedger ledger, MeterRegistry meters) {
        this.tools = tools;
        this.routing = routing;
        this.ledger = ledger;
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
            meters.counter("switchboard.tool.executions", "tenant", "unknown", "tool", "unknown", "outcome", "unreadable").increment();
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
            count(envelope.tenantId(), task, "outage");
        }
    }

    private void execute(Message message, Envelope envelope, ToolTask task) {
        String tenantId = envelope.tenantId();
        long notBefore = notBefore(message);
        if (notBefore > System.currentTimeMillis()) {
            routing.holdUntil(message, notBefore);
            count(tenantId, task, "held");
            return;
        }
        ToolMetadata metadata = tools.metadata(task);
        long tokens = tools.tokens(task, metadata);
        Delivery delivery = new Delivery(message, envelope, task, attempt(message), System.nanoTime(),
                tools.cacheKey(tenantId, task, metadata));
        switch (ledger.begin(tenantId, task, delivery.cacheKey(), tokens)) {
            case TaskLedger.Start.Finished finished -> LOG.info("task {} was finished before; skipping the redelivery", task.taskId());
            case TaskLedger.Start.Ended ended -> {
                LOG.info("run {} ended with {}; skipping task {}", task.runId(), ended.event(), task.taskId());
                ledger.skipped(tenantId, task);
                count(tenantId, task, "skipped");
            }
            case TaskLedger.Start.Cached cached -> finish(delivery, Ending.cached(cached.output()));
            case TaskLedger.Start.Refused refused -> {
                LOG.info("task {} not run: {}", task.taskId(), refused.reason());
                finish(delivery, Ending.overBudget(refused.reason()));
            }
            case TaskLedger.Start.Reserved reserved -> run(delivery, metadata);
        }
    }

    private void run(Delivery delivery, ToolMetadata metadata) {
        ToolTask task = delivery.task();
        String tenantId = delivery.envelope().tenantId();
        try {
            finish(delivery, Ending.succeeded(tools.call(tenantId, task, metadata, delivery.attempt())));
        } catch (ToolFailure failure) {
            ledger.release(tenantId, task);
            Optional<String> endedMeanwhile = ledger.runEnded(tenantId, task);
            if (endedMeanwhile.isPresent()) {
                LOG.info("run {} ended with {} while task {} ran; dropping it: {}", task.runId(), endedMeanwhile.get(), task.taskId(),
                        failure.getMessage());
                ledger.skipped(tenantId, task);
                count(tenantId, task, "skipped");
                return;
            }
            if (failure.retryable() && delivery.attempt() < metadata.maxAttempts()) {
                LOG.info("task {} attempt {} failed, retrying: {}", task.taskId(), delivery.attempt(), failure.getMessage());
                routing.retry(delivery.message(), delivery.attempt() + 1, failure.retryAfter());
                count(tenantId, task, "retried");
                return;
            }
            finish(delivery, Ending.failed(failure));
        }
    }

    /**
     * The one way a delivery finishes: the run is told the outcome (acknowledged by Kafka), a final
     * failure is dead-lettered with its reason, the ending is counted, and the task is marked
     * finished so that a redelivery is skipped.
     */
    private void finish(Delivery delivery, Ending ending) {
        ToolTask task = delivery.task();
        ledger.publish(delivery.envelope(), task, new ToolOutcome(task.taskId(), task.tool(), task.index(), task.args(),
                ending.status(), ending.output(), ending.error(), delivery.attempt(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - delivery.started()), ending.cached()));
        if (ending.deadLetter() != null) {
            routing.deadLetter(delivery.message(), ending.error(), ending.deadLetter().getClass().getName(), delivery.attempt());
        }
        count(delivery.envelope().tenantId(), task, ending.counted());
        ledger.finish(delivery.envelope().tenantId(), task, delivery.cacheKey(), ending.cached() ? null : ending.output());
    }

    private void count(String tenantId, ToolTask task, String outcome) {
        meters.counter("switchboard.tool.executions", "tenant", tenantId, "tool", task.tool(), "outcome", outcome).increment();
    }

    private static int attempt(Message message) {
        Object attempt = message.getMessageProperties().getHeaders().get(TaskQueues.ATTEMPT_HEADER);
        return attempt instanceof Number number ? number.intValue() : 1;
    }

    /** When a task told to wait longer than the longest retry tier may be tried; 0 if it was not told. */
    private static long notBefore(Message message) {
        Object notBefore = message.getMessageProperties().getHeaders().get(TaskQueues.NOT_BEFORE_HEADER);
        return notBefore instanceof Number number ? number.longValue() : 0;
    }

    private static String header(Message message, String name) {
        Object value = message.getMessageProperties().getHeaders().get(name);
        return value == null ? null : value.toString();
    }

    /**
     * One delivery of a task: the message, what it carries, which attempt it is, when it was taken,
     * and where its output is cached (null for a tool that is not deterministic).
     */
    private record Delivery(Message message, Envelope envelope, ToolTask task, int attempt, long started, String cacheKey) {
    }

    /**
     * How a finished delivery ended: the outcome the run is told, the name it is counted under, and
     * for a final failure the failure the task is dead-lettered with.
     */
    private record Ending(ToolStatus status, Map<String, Object> output, String error, boolean cached, String counted,
                          ToolFailure deadLetter) {

        static Ending cached(Map<String, Object> output) {
            return new Ending(ToolStatus.SUCCEEDED, output, null, true, "cached", null);
        }

        static Ending succeeded(Map<String, Object> output) {
            return new Ending(ToolStatus.SUCCEEDED, output, null, false, "succeeded", null);
        }

        static Ending overBudget(String reason) {
            return new Ending(ToolStatus.FAILED, null, reason, false, "over_budget", null);
        }

        static Ending failed(ToolFailure failure) {
            return new Ending(ToolStatus.FAILED, null, failure.getMessage(), false, "failed", failure);
        }
    }
}
