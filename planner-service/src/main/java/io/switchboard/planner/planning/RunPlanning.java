package io.switchboard.planner.planning;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.AgentPlanned;
import io.switchboard.events.AgentRequested;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventIds;
import io.switchboard.events.PlannedTask;
import io.switchboard.events.RunStatus;
import io.switchboard.events.StepCompleted;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.events.stream.StepPlanned;
import io.switchboard.planner.runs.RunContext;
import io.switchboard.planner.runs.RunState;
import io.switchboard.planner.tasks.TaskPublisher;
import io.switchboard.platform.AgentDefinitions;
import io.switchboard.platform.EventPublisher;
import io.switchboard.platform.ProcessedEvents;
import io.switchboard.platform.RunEnding;
import io.switchboard.platform.RunEventLog;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.stereotype.Service;

/**
 * Plans runs step by step: the first step when a run is requested, the next one when the composer
 * reports a step complete. Each step's tasks are enqueued (confirmed by RabbitMQ) before
 * {@code agent.planned} is emitted; a step that cannot be planned fails the run with the reason.
 * A run that has ended (cancelled, or past its deadline) gets no further step.
 */
@Service
public class RunPlanning {

    private static final Logger LOG = LoggerFactory.getLogger(RunPlanning.class);
    static final String SOURCE = "/switchboard/planner-service";

    private final AgentDefinitions agents;
    private final RunState runs;
    private final TaskPublisher tasks;
    private final EventPublisher events;
    private final RunEventLog runEvents;
    private final RunEnding ending;
    private final ProcessedEvents processed;
    private final StepPlanner planner;
    private final MeterRegistry meters;

    RunPlanning(AgentDefinitions agents, RunState runs, TaskPublisher tasks, EventPublisher events, RunEventLog runEvents,
                RunEnding ending, ProcessedEvents processed, PlanningProperties properties, MeterRegistry meters) {
        this.agents = agents;
        this.runs = runs;
        this.tasks = tasks;
        this.events = events;
        this.runEvents = runEvents;
        this.ending = ending;
        this.processed = processed;
        this.planner = new StepPlanner(properties.maxFanOut(), properties.maxRunTasks());
        this.meters = meters;
    }

    public void requested(Envelope envelope, AgentRequested requested) {
        if (processed.done(envelope.id())) {
            return;
        }
        RunContext context = new RunContext(requested.agent(), requested.conversationId(), requested.input(),
                requested.priority());
        runs.remember(envelope, context);
        planStep(envelope, context, 1, List.of());
        processed.markDone(envelope.id());
    }

    public void stepCompleted(Envelope envelope, StepCompleted completed) {
        if (processed.done(envelope.id())) {
            return;
        }
        RunContext context = runs.context(envelope).orElse(null);
        if (context == null) {
            fail(envelope, completed.conversationId(), completed.agent(),
                    "the run's plan expired before step " + (completed.step() + 1));
        } else {
            planStep(envelope, context, completed.step() + 1, completed.outcomes());
        }
        processed.markDone(envelope.id());
    }

    private void planStep(Envelope cause, RunContext context, int step, List<ToolOutcome> previous) {
        AgentDefinition agent = agents.find(context.agent()).orElse(null);
        if (agent == null) {
            fail(cause, context.conversationId(), context.agent(), "agent '" + context.agent() + "' is not defined");
            return;
        }
        List<StepPlanner.ToolCall> calls;
        try {
            calls = planner.plan(agent, step, context.input(), previous, runs.tasksBefore(cause, step));
        } catch (PlanRefusedException refused) {
            fail(cause, context.conversationId(), agent.name(), refused.getMessage());
            return;
        }
        String runId = cause.runId();
        boolean finalStep = agent.isFinalStep(step);
        List<ToolTask> stepTasks = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            StepPlanner.ToolCall call = calls.get(i);
            stepTasks.add(new ToolTask(EventIds.task(runId, step, i), runId, context.conversationId(), agent.name(),
                    step, i, calls.size(), finalStep, call.tool(), call.args(), context.priority(), false));
        }
        List<PlannedTask> planned = stepTasks.stream().map(t -> new PlannedTask(t.taskId(), t.tool(), t.index())).toList();
        String stepName = agent.step(step).name();

        String plannedId = EventIds.stepPlanned(runId, step);
        runs.recordStepTasks(cause, step, calls.size());
        if (runEvents.append(cause.tenantId(), runId, plannedId, new StepPlanned(step, stepName, planned))
                == RunEventLog.Append.RUN_ENDED) {
            LOG.info("run {} already ended (cancelled or past its deadline); step {} not planned", runId, step);
            return;
        }
        tasks.publish(cause, stepTasks, SOURCE);
        Envelope plannedEnvelope = cause.next(plannedId, SOURCE, AgentPlanned.class);
        events.publish(Topics.AGENT_PLANNED, context.conversationId(), plannedEnvelope,
                new AgentPlanned(runId, context.conversationId(), agent.name(), step, stepName, finalStep, planned));
        meters.counter("switchboard.tasks.planned", "tenant", cause.tenantId(), "agent", agent.name()).increment(calls.size());
        LOG.info("planned step {} ({}) of run {}: {} task(s)", step, stepName, runId, calls.size());
    }

    private void fail(Envelope cause, String conversationId, String agent, String reason) {
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
