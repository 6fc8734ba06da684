package io.switchboard.composer.composition;

import io.switchboard.events.EventIds;
import io.switchboard.events.RunStatus;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.platform.RunEnding;
import io.switchboard.platform.RunEventLog;
import io.switchboard.store.RunStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * No run stays {@code running} forever: a run still going at its agent's deadline ends
 * {@code failed}, saying so. Runs are watched from acceptance ({@link RunEventLog#watchDeadline});
 * a run that ended in time is only unwatched here. Several composers may sweep at once: the end is
 * applied once per run ({@link RunEnding}).
 */
@Component
class DeadlineSweeper implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(DeadlineSweeper.class);
    static final String SOURCE = RunComposition.SOURCE;

    private final RunEventLog runEvents;
    private final RunEnding ending;
    private final RunStore store;
    private final DeadlineProperties properties;
    private final TaskScheduler scheduler;
    private volatile ScheduledFuture<?> sweeping;

    DeadlineSweeper(RunEventLog runEvents, RunEnding ending, RunStore store, DeadlineProperties properties,
                    TaskScheduler scheduler) {
        this.runEvents = runEvents;
        this.ending = ending;
        this.store = store;
        this.properties = properties;
        this.scheduler = scheduler;
    }

    @Override
    public void start() {
        sweeping = scheduler.scheduleWithFixedDelay(this::sweep, properties.sweepInterval());
    }

    @Override
    public void stop() {
        ScheduledFuture<?> running = sweeping;
        if (running != null) {
            running.cancel(false);
            sweeping = null;
        }
    }

    @Override
    public boolean isRunning() {
        return sweeping != null;
    }

    void sweep() {
        for (RunEventLog.RunRef run : runEvents.overdue(Instant.now(), properties.batch())) {
            try {
                expire(run);
            } catch (RuntimeException e) {
                LOG.warn("could not end overdue run {} yet; it stays watched", run.runId(), e);
            }
        }
    }

    private void expire(RunEventLog.RunRef run) {
        // Its run.accepted: in Redis, or in the store if Redis lost the head of the run's stream.
        Optional<RunAccepted> accepted = runEvents.accepted(run.tenantId(), run.runId())
                .or(() -> store.accepted(run.tenantId(), run.runId()));
        if (accepted.isEmpty() || runEvents.ended(run.tenantId(), run.runId()).isPresent()) {
            runEvents.unwatch(run.tenantId(), run.runId());
            return;
        }
        String reason = "the run did not end by its deadline " + accepted.get().deadline()
                + "; the agent's steps had not all completed";
        ending.end(run.tenantId(), accepted.get(), EventIds.EndedBy.DEADLINE, SOURCE, RunStatus.FAILED, reason);
    }

    /**
     * @param sweepInterval how often overdue runs are looked for
     * @param batch         the most overdue runs ended per sweep
     */
    @ConfigurationProperties("switchboard.deadlines")
    record DeadlineProperties(@DefaultValue("1s") Duration sweepInterval, @DefaultValue("200") int batch) {
    }
}
