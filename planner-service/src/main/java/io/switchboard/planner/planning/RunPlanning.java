package io.switchboard.planner.planning;

import io.switchboard.events.AgentRequested;
import io.switchboard.events.Envelope;
import io.switchboard.events.Priority;
import io.switchboard.events.RunStatus;
import io.switchboard.events.StepCompleted;
import io.switchboard.events.ToolOutcome;
import io.switchboard.planner.runs.RunContext;
import io.switchboard.planner.runs.RunState;
import io.switchboard.planner.runs.Transcript;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.ProcessedEvents;
import io.switchboard.platform.RunEnding;
import io.switchboard.platform.ToolOutputs;
import io.switchboard.platform.agents.AgentDefinition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.stereotype.Service;

/**
 * Plans runs step by step: the first step when a run is requested, the next one when the composer
 * reports a step complete. An agent's fixed steps are planned here; a model agent's steps are
 * decided by its model ({@link ModelLoop}). A step that cannot be planned fails the run with the
 * reason, and a run that has ended (cancelled, or past its deadline) gets no further step.
 */
@Service
public class RunPlanning {

    private static final Logger LOG = LoggerFactory.getLogger(RunPlanning.class);
    static final String SOURCE = "/switchboard/planner-service";

    private final AgentDefinitions agents;
    private final RunState runs;
    private final PlannedStep plannedStep;
    private final ModelLoop modelLoop;
    private final RunEnding ending;
    private final ProcessedEvents processed;
    private final StepPlanner planner;
    private final ToolOutputs outputs;

    RunPlanning(AgentDefinitions agents, RunState runs, PlannedStep plannedStep, ModelLoop modelLoop, RunEnding ending,
                ProcessedEvents processed, PlanningProperties properties, ToolOutputs outputs) {
        this.agents = agents;
        this.runs = runs;
        this.plannedStep = plannedStep;
        this.modelLoop = modelLoop;
        this.ending = ending;
        this.processed = processed;
        this.planner = new StepPlanner(properties.maxFanOut(), properties.maxRunTasks());
        this.outputs = outputs;
    }

    /** {@code lane}: the lane it was requested on, which the run keeps ({@link RunContext#lane}). */
    public void requested(Envelope envelope, AgentRequested requested, Priority lane) {
        RunContext context = new RunContext(requested.agent(), requested.conversationId(), requested.input(),
                requested.priority(), requested.agentVersion() == null ? 0 : requested.agentVersion(), lane);
        planStep(envelope, context, 1, List.of(), requested.messages(), Optional.empty(), 0);
        processed.markDone(envelope.id());
    }

    public void stepCompleted(Envelope envelope, StepCompleted completed) {
        RunState.Resumed run = runs.resume(envelope, completed.step()).orElse(null);
        if (run == null) {
            fail(envelope, completed.conversationId(), completed.agent(),
                    "the run's plan expired before step " + (completed.step() + 1));
        } else {
            planStep(envelope, run.context(), completed.step() + 1,
                    outputs.claimAll(envelope.tenantId(), completed.runId(), completed.outcomes()), List.of(), run.transcript(),
                    run.tasksBefore());
        }
        processed.markDone(envelope.id());
    }

    /**
     * {@code history}: for step 1, the earlier turns the client sent with the request;
     * {@code transcript}: for a model agent's later steps, what the step before was planned from;
     * {@code tasksBefore}: how many tasks the run's steps before this one had.
     * An event handled to the end before (a redelivery) is recognised in the round trip that starts
     * the step ({@link RunState#startStep}), and a failure looks it up first. What a model agent's
     * last step does instead, remembering its answer and appending its end, is done once however
     * often it runs.
     */
    private void planStep(Envelope cause, RunContext context, int step, List<ToolOutcome> previous,
                          List<Map<String, Object>> history, Optional<Transcript> transcript, int tasksBefore) {
        AgentDefinition agent = agents.resolve(cause.tenantId(), context.agent(), context.agentVersion())
                .map(AgentDefinitions.Resolved::definition).orElse(null);
        if (agent == null) {
            fail(cause, context.conversationId(), context.agent(), "agent '" + context.agent() + "' is not defined");
            return;
        }
        try {
            if (agent.modelDriven()) {
                modelLoop.next(cause, context, agent, step, previous, history, transcript, tasksBefore);
                return;
            }
            List<PlannedStep.Call> calls = planner.plan(agent, step, context.input(), previous, tasksBefore);
            plannedStep.start(cause, context, step, agent.step(step).name(), calls, agent.isFinalStep(step), false, null);
        } catch (PlanRefusedException refused) {
            fail(cause, context.conversationId(), agent.name(), refused.getMessage());
        }
    }

    private void fail(Envelope cause, String conversationId, String agent, String reason) {
        if (processed.done(cause.id())) {
            return;
        }
        LOG.warn("run {} failed in planning: {}", cause.runId(), reason);
        ending.end(cause, SOURCE, RunStatus.FAILED, null, reason, conversationId, agent);
    }

    /**
     * @param maxFanOut   the platform's cap on the tasks of one step, whatever an agent declares
     * @param maxRunTasks the platform's cap on the tasks of one run, over all its steps
     */
    @ConfigurationProperties("switchboard.planning")
    record PlanningProperties(@DefaultValue("50") int maxFanOut, @DefaultValue("200") int maxRunTasks) {
    }
}
