package io.switchboard.planner.planning;

import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.AgentPlanned;
import io.switchboard.events.Envelope;
import io.switchboard.events.EventIds;
import io.switchboard.events.PlannedTask;
import io.switchboard.events.Priority;
import io.switchboard.events.ToolTask;
import io.switchboard.events.Topics;
import io.switchboard.events.stream.StepPlanned;
import io.switchboard.planner.runs.RunContext;
import io.switchboard.planner.runs.RunState;
import io.switchboard.planner.runs.Transcript;
import io.switchboard.planner.tasks.TaskPublisher;
import io.switchboard.platform.EventPublisher;
import io.switchboard.platform.InteractiveShare;
import io.switchboard.platform.RunEventLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Puts a planned step into motion, whoever planned it (an agent's fixed steps or its model), on its
 * run's lane, or on the background lane if the run's tenant is now over its {@link InteractiveShare}
 * (the step's outcomes and completion follow its tasks' lane): the step's task count is recorded
 * (and the run's context, with its first step, and a model agent's transcript), {@code step.planned}
 * appended to the run's stream and the tasks counted for the tenant's fair share, the tasks
 * enqueued (confirmed by RabbitMQ) and {@code agent.planned} emitted. A run that has ended gets no
 * further step, and an event handled to the end before (a redelivery) starts none again.
 */
@Component
class PlannedStep {

    private static final Logger LOG = LoggerFactory.getLogger(PlannedStep.class);

    private final RunState runs;
    private final TaskPublisher tasks;
    private final EventPublisher events;
    private final InteractiveShare share;
    private final MeterRegistry meters;

    PlannedStep(RunState runs, TaskPublisher tasks, EventPublisher events, InteractiveShare share, MeterRegistry meters) {
        this.runs = runs;
        this.tasks = tasks;
        this.events = events;
        this.share = share;
        this.meters = meters;
    }

    /** One call of a step: a tool (or the model) and its arguments. */
    record Call(String tool, Map<String, Object> args) {
    }

    /**
     * @param finalStep its outcomes make the run's response (fixed steps only)
     * @param openEnded the agent decides what follows ({@link ToolTask#openEnded})
     * @param keep      a model agent's transcript, kept with the step; null for none
     * @return the transcript kept for the step before, if the calls were made from another: the step
     * is not started, and is to be planned from it
     */
    Optional<Transcript> start(Envelope cause, RunContext context, int step, String name, List<Call> calls, boolean finalStep,
                               boolean openEnded, RunState.Keep keep) {
        String runId = cause.runId();
        Priority lane = share.lane(cause.tenantId(), context.lane());
        List<ToolTask> stepTasks = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Call call = calls.get(i);
            stepTasks.add(new ToolTask(EventIds.task(runId, step, i), runId, context.conversationId(), context.agent(),
                    step, i, calls.size(), finalStep, call.tool(), call.args(), context.priority(), openEnded, lane));
        }
        List<PlannedTask> planned = stepTasks.stream().map(t -> new PlannedTask(t.taskId(), t.tool(), t.index())).toList();
        String plannedId = EventIds.stepPlanned(runId, step);
        RunState.Started started = runs.startStep(cause, context, step, plannedId, new StepPlanned(step, name, planned), keep);
        if (started.processed()) {
            LOG.debug("event {} of run {} was handled before; step {} not planned again", cause.id(), runId, step);
            return Optional.empty();
        }
        if (started.keptBefore().isPresent()) {
            return started.keptBefore();
        }
        if (started.append() == RunEventLog.Append.RUN_ENDED) {
            LOG.info("run {} already ended (cancelled or past its deadline); step {} not planned", runId, step);
            return Optional.empty();
        }
        if (lane != context.lane()) {
            meters.counter("switchboard.steps.over.share", "tenant", cause.tenantId()).increment();
        }
        tasks.publish(cause, stepTasks, RunPlanning.SOURCE, started.demotion());
        events.publish(Topics.AGENT_PLANNED, context.conversationId(), cause.next(plannedId, RunPlanning.SOURCE, AgentPlanned.class),
                new AgentPlanned(runId, context.conversationId(), context.agent(), step, name, finalStep, planned));
        meters.counter("switchboard.tasks.planned", "tenant", cause.tenantId(), "agent", context.agent())
                .increment(calls.size());
        LOG.debug("planned step {} ({}) of run {}: {} task(s)", step, name, runId, calls.size());
        return Optional.empty();
    }
}
