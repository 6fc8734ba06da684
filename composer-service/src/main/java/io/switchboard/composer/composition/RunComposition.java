package io.switchboard.composer.composition;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.composer.runs.ComposerStore;
import io.switchboard.events.AgentCompleted;
import io.switchboard.events.Envelope;
import io.switchboard.events.RunStatus;
import io.switchboard.events.RunStream;
import io.switchboard.events.StepCompleted;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.Topics;
import io.switchboard.platform.EventPublisher;
import io.switchboard.platform.RunEventLog;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Gathers a step's tool outcomes. When the step is complete it hands the outcomes to the planner
 * for the next step, or composes the final response, stores it and emits {@code agent.completed}.
 * A step whose every task failed ends the run {@code failed} with their reasons; a step where
 * only some failed goes on with what succeeded.
 */
@Service
class RunComposition {

    private static final Logger LOG = LoggerFactory.getLogger(RunComposition.class);
    static final String SOURCE = "/switchboard/composer-service";

    private final ComposerStore store;
    private final EventPublisher events;
    private final RunEventLog runEvents;
    private final MeterRegistry meters;

    RunComposition(ComposerStore store, EventPublisher events, RunEventLog runEvents, MeterRegistry meters) {
        this.store = store;
        this.events = events;
        this.runEvents = runEvents;
        this.meters = meters;
    }

    /**
     * Gathers an outcome. Every effect is idempotent, so a redelivered outcome needs no separate
     * de-duplication: the run stream keeps an event id once, the step's hash a task id once, and a
     * step completed again publishes its event again under the same id, which consumers recognise.
     */
    void toolCalled(Envelope envelope, ToolCalled called) {
        ToolOutcome outcome = called.outcome();
        RunEventLog.Append appended = runEvents.append(envelope.tenantId(), called.runId(), envelope.id(),
                outcome.succeeded() ? RunStream.Event.TOOL_SUCCEEDED : RunStream.Event.TOOL_FAILED, toolEvent(called));
        if (appended == RunEventLog.Append.RUN_ENDED) {
            LOG.info("run {} already ended; outcome of {} not gathered", called.runId(), outcome.taskId());
        } else if (store.gather(envelope, called.step(), outcome) >= called.taskCount()) {
            stepComplete(envelope, called, store.outcomes(envelope, called.step()));
        }
    }

    private void stepComplete(Envelope cause, ToolCalled called, List<ToolOutcome> outcomes) {
        String runId = called.runId();
        long succeeded = outcomes.stream().filter(ToolOutcome::succeeded).count();
        if (succeeded == 0) {
            String reasons = outcomes.stream().map(o -> o.tool() + " " + o.taskId() + ": " + o.error())
                    .collect(Collectors.joining("; "));
            complete(cause, called, RunStatus.FAILED, null, "every task of step " + called.step() + " failed: " + reasons);
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("step", called.step());
        data.put("succeeded", succeeded);
        data.put("failed", outcomes.size() - succeeded);
        String eventId = runId + ".s" + called.step() + ".completed";
        if (runEvents.append(cause.tenantId(), runId, eventId, RunStream.Event.STEP_COMPLETED, data) == RunEventLog.Append.RUN_ENDED) {
            return;
        }
        if (called.finalStep()) {
            List<ToolOutcome> earlierFailed = IntStream.range(1, called.step())
                    .mapToObj(step -> store.outcomes(cause, step)).flatMap(List::stream)
                    .filter(outcome -> !outcome.succeeded()).toList();
            complete(cause, called, RunStatus.SUCCEEDED, ResponseComposer.compose(called.agent(), outcomes, earlierFailed), null);
        } else {
            events.publish(Topics.AGENT_STEP_COMPLETED, called.conversationId(), cause.next(eventId, SOURCE, StepCompleted.class),
                    new StepCompleted(runId, called.conversationId(), called.agent(), called.step(), outcomes));
        }
    }

    private void complete(Envelope cause, ToolCalled called, RunStatus status, Map<String, Object> output, String error) {
        AgentCompleted completed = new AgentCompleted(called.runId(), called.conversationId(), called.agent(), status,
                output, error, Instant.now());
        end(cause.next(called.runId() + ".completed", SOURCE, AgentCompleted.class), completed);
    }

    /**
     * Ends a run: its terminal event, the stored response and {@code agent.completed}. A run that
     * already ended (cancelled, or past its deadline) keeps the end it had.
     */
    void end(Envelope envelope, AgentCompleted completed) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", completed.status().wireName());
        data.put("output", completed.output());
        data.put("error", completed.error());
        data.put("completedAt", completed.completedAt().toString());
        RunStream.Event event = completed.status() == RunStatus.SUCCEEDED ? RunStream.Event.RUN_COMPLETED : RunStream.Event.RUN_FAILED;
        RunEventLog.Append appended = runEvents.append(envelope.tenantId(), completed.runId(), envelope.id(), event, data);
        if (appended == RunEventLog.Append.RUN_ENDED) {
            LOG.info("run {} already ended; {} not applied", completed.runId(), completed.status().wireName());
            return;
        }
        store.store(envelope, completed);
        events.publish(Topics.AGENT_COMPLETED, completed.conversationId(), envelope, completed);
        runEvents.unwatch(envelope.tenantId(), completed.runId());
        if (appended == RunEventLog.Append.DUPLICATE) {
            return; // a replayed outcome: agent.completed again, under the same id, in case the first was lost
        }
        meters.counter("switchboard.runs.completed", "tenant", envelope.tenantId(), "agent", completed.agent(),
                "status", completed.status().wireName()).increment();
        LOG.info("run {} {}", completed.runId(), completed.status().wireName());
    }

    private static Map<String, Object> toolEvent(ToolCalled called) {
        ToolOutcome outcome = called.outcome();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("taskId", outcome.taskId());
        data.put("step", called.step());
        data.put("tool", outcome.tool());
        data.put("status", outcome.succeeded() ? "succeeded" : "failed");
        data.put("attempts", outcome.attempts());
        data.put("durationMs", outcome.durationMs());
        data.put("cached", outcome.cached());
        data.put("args", outcome.args());
        if (outcome.succeeded()) {
            data.put("output", outcome.output());
        } else {
            data.put("error", outcome.error());
        }
        return data;
    }
}
