package io.switchboard.composer.composition;

import io.switchboard.composer.runs.ComposerStore;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventIds;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.StepCompleted;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.events.stream.StepResult;
import io.switchboard.events.stream.ToolResult;
import io.switchboard.platform.EventPublisher;
import io.switchboard.platform.RunEnding;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.ToolOutputs;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Gathers a step's tool outcomes. When the step is complete it hands the outcomes to the planner
 * for the next step, or composes the final response and ends the run. A step whose every task
 * failed ends the run {@code failed} with their reasons; a step where only some failed goes on
 * with what succeeded. The steps of an agent that decides its own next step (a model agent) all
 * go to the planner, failed ones included: the model is told what failed. Outputs kept aside
 * ({@link ToolOutputs}) are claimed where they are shown or composed, and travel on by reference.
 */
@Service
class RunComposition {

    private static final Logger LOG = LoggerFactory.getLogger(RunComposition.class);
    static final String SOURCE = "/switchboard/composer-service";

    private final ComposerStore store;
    private final EventPublisher events;
    private final RunEventLog runEvents;
    private final RunEnding ending;
    private final ToolOutputs outputs;

    RunComposition(ComposerStore store, EventPublisher events, RunEventLog runEvents, RunEnding ending, ToolOutputs outputs) {
        this.store = store;
        this.events = events;
        this.runEvents = runEvents;
        this.ending = ending;
        this.outputs = outputs;
    }

    /** An outcome as it came: the event's envelope and the outcome's event. */
    record Received(Envelope envelope, ToolCalled called) {
    }

    /**
     * Gathers outcomes of one step of one run, as many as a poll brought together, in one round
     * trip. Every effect is idempotent, so a redelivered outcome needs no separate de-duplication:
     * the run stream keeps an event id once, the step's hash a task id once, and a step completed
     * again publishes its event again under the same id, which consumers recognise.
     */
    void toolCalled(Priority lane, List<Received> received) {
        Received last = received.getLast();
        ToolCalled called = last.called();
        ComposerStore.Gathered gathered = store.gather(last.envelope().tenantId(), called.runId(), called.step(),
                received.stream().map(each -> new ComposerStore.Outcome(each.envelope().id(), each.called().outcome(),
                        shown(each.envelope(), each.called()))).toList(), called.taskCount(), completedAlone(called));
        if (gathered.runEnded()) {
            LOG.info("run {} already ended; outcomes of step {} not gathered", called.runId(), called.step());
        } else if (gathered.stepOutcomes() != null) {
            stepComplete(last.envelope(), lane, called, gathered.stepOutcomes(), gathered.completion());
        }
    }

    /**
     * The {@code step.completed} of a step of one task whose outcome goes on to the planner (every
     * step of a model agent), known before it is gathered and appended in the same round trip;
     * otherwise null, and the step's completion is appended, if at all, once its outcomes are all in.
     */
    private static RunEventLog.Pending completedAlone(ToolCalled called) {
        boolean succeeded = called.outcome().succeeded();
        if (called.taskCount() != 1 || !(called.openEnded() || (succeeded && !called.finalStep()))) {
            return null;
        }
        return new RunEventLog.Pending(EventIds.stepCompleted(called.runId(), called.step()),
                new StepResult(called.step(), succeeded ? 1 : 0, succeeded ? 0 : 1));
    }

    /**
     * What the run's stream shows of a tool's outcome; none for a model call, whose outcome is there
     * already as the {@code model.completed} its worker appended.
     */
    private ToolResult shown(Envelope envelope, ToolCalled called) {
        if (ToolTask.MODEL_CALL.equals(called.outcome().tool())) {
            return null;
        }
        return ToolResult.of(called.step(), outputs.claim(envelope.tenantId(), called.runId(), called.outcome()));
    }

    /**
     * @param lane      the run's lane ({@link Topics#lane}), the one its outcome came on: its step's completion takes it too
     * @param completed what appending the step's completion did as its outcomes were gathered, or null if it was not
     */
    private void stepComplete(Envelope cause, Priority lane, ToolCalled called, List<ToolOutcome> outcomes,
                              RunEventLog.Append completed) {
        String runId = called.runId();
        int succeeded = (int) outcomes.stream().filter(ToolOutcome::succeeded).count();
        if (succeeded == 0 && !called.openEnded()) {
            String reasons = outcomes.stream().map(o -> o.tool() + " " + o.taskId() + ": " + o.error())
                    .collect(Collectors.joining("; "));
            ending.end(cause, SOURCE, RunStatus.FAILED, null, "every task of step " + called.step() + " failed: " + reasons,
                    called.conversationId(), called.agent());
            return;
        }
        String eventId = EventIds.stepCompleted(runId, called.step());
        StepResult result = new StepResult(called.step(), succeeded, outcomes.size() - succeeded);
        if (called.finalStep() && !called.openEnded()) {
            List<ToolOutcome> earlierFailed = IntStream.range(1, called.step())
                    .mapToObj(step -> store.outcomes(cause, step)).flatMap(List::stream)
                    .filter(outcome -> !outcome.succeeded()).toList();
            ending.end(cause, new RunEventLog.Pending(eventId, result), SOURCE, RunStatus.SUCCEEDED,
                    ResponseComposer.compose(called.agent(), outputs.claimAll(cause.tenantId(), runId, outcomes),
                            outputs.claimAll(cause.tenantId(), runId, earlierFailed)), null, called.conversationId(), called.agent());
        } else if ((completed != null ? completed : runEvents.append(cause.tenantId(), runId, eventId, result))
                != RunEventLog.Append.RUN_ENDED) {
            events.publish(Topics.lane(Topics.AGENT_STEP_COMPLETED, lane), called.conversationId(), cause.next(eventId, SOURCE, StepCompleted.class),
                    new StepCompleted(runId, called.conversationId(), called.agent(), called.step(), outcomes));
        }
    }
}
