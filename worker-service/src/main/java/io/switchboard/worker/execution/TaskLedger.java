package io.switchboard.worker.execution;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventIds;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.platform.EventPublisher;
import io.switchboard.platform.ProcessedEvents;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TaskBacklog;
import io.switchboard.platform.TokenBudgets;
import io.switchboard.platform.ToolOutputs;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * What the platform keeps of a task beyond its message: whether it was finished before, whether its
 * run has ended, the tokens reserved for it, and its outcome, told to the run through Kafka (a large
 * output kept aside, {@link ToolOutputs}).
 */
@Component
class TaskLedger {

    static final String SOURCE = "/switchboard/worker-service";

    private final EventPublisher events;
    private final ProcessedEvents processed;
    private final RunEventLog runEvents;
    private final TokenBudgets budgets;
    private final ToolOutputs outputs;
    private final TaskBacklog backlog;

    TaskLedger(EventPublisher events, ProcessedEvents processed, RunEventLog runEvents, TokenBudgets budgets, ToolOutputs outputs,
               TaskBacklog backlog) {
        this.backlog = backlog;
        this.events = events;
        this.processed = processed;
        this.runEvents = runEvents;
        this.budgets = budgets;
        this.outputs = outputs;
    }

    boolean finishedBefore(ToolTask task) {
        return processed.done(task.taskId());
    }

    /** How the task's run ended, if it has. */
    Optional<String> runEnded(String tenantId, ToolTask task) {
        return runEvents.ended(tenantId, task.runId());
    }

    /** Reserves the task's tokens from its run's and tenant's budgets; the reason if they do not have them. */
    Optional<String> reserve(String tenantId, ToolTask task, long tokens) {
        return budgets.reserve(tenantId, task.runId(), task.taskId(), tokens);
    }

    /** Gives the task's reserved tokens back. */
    void release(String tenantId, ToolTask task) {
        budgets.release(tenantId, task.runId(), task.taskId());
    }

    /** Publishes {@code agent.tool_called}, caused by the task, and waits for Kafka's acknowledgement. */
    void publish(Envelope cause, ToolTask task, ToolOutcome outcome) {
        Envelope envelope = cause.next(EventIds.toolCalled(task.taskId()), SOURCE, ToolCalled.class);
        events.publish(Topics.AGENT_TOOL_CALLED, task.conversationId(), envelope,
                ToolCalled.of(task, outputs.checkIn(cause.tenantId(), task.runId(), outcome)));
    }

    /** The task is done with: a redelivery is skipped, and it no longer counts as waiting. */
    void markFinished(String tenantId, ToolTask task) {
        processed.markDone(task.taskId());
        backlog.done(tenantId, task);
    }

    /** The task will not run (its run has ended): it no longer counts as waiting. */
    void skipped(String tenantId, ToolTask task) {
        backlog.done(tenantId, task);
    }
}
