package io.switchboard.composer.composition;

import io.switchboard.events.AgentCompleted;
import io.switchboard.events.Envelope;
import io.switchboard.events.RunStatus;
import io.switchboard.platform.RunEventLog;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * No run stays {@code running} forever: a run still going at its agent's deadline ends
 * {@code failed}, saying so. Runs are watched from acceptance ({@link RunEventLog#watchDeadline});
 * a run that ended in time is only unwatched here. Several composers may sweep at once: the end is
 * appended once per run, and {@code agent.completed} carries one event id.
 */
@Component
class DeadlineSweeper {

    private static final Logger LOG = LoggerFactory.getLogger(DeadlineSweeper.class);

    private final RunEventLog runEvents;
    private final RunComposition composition;
    private final DeadlineProperties properties;

    DeadlineSweeper(RunEventLog runEvents, RunComposition composition, DeadlineProperties properties) {
        this.runEvents = runEvents;
        this.composition = composition;
        this.properties = properties;
    }

    @Scheduled(fixedDelayString = "${switchboard.deadlines.sweep-interval:1s}")
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
        Optional<Map<String, Object>> found = runEvents.accepted(run.tenantId(), run.runId());
        if (found.isEmpty() || runEvents.ended(run.tenantId(), run.runId()).isPresent()) {
            runEvents.unwatch(run.tenantId(), run.runId());
            return;
        }
        Map<String, Object> accepted = found.get();
        String reason = "the run did not end by its deadline " + accepted.get("deadline")
                + "; the agent's steps had not all completed";
        Envelope envelope = Envelope.origin(run.runId() + ".deadline", RunComposition.SOURCE, AgentCompleted.class,
                run.tenantId(), (String) accepted.get("correlationId"), run.runId());
        composition.end(envelope, new AgentCompleted(run.runId(), (String) accepted.get("conversationId"),
                (String) accepted.get("agent"), RunStatus.FAILED, null, reason, Instant.now()));
        runEvents.unwatch(run.tenantId(), run.runId());
    }

    /**
     * @param sweepInterval how often overdue runs are looked for
     * @param batch         the most overdue runs ended per sweep
     */
    @ConfigurationProperties("switchboard.deadlines")
    record DeadlineProperties(@DefaultValue("1s") Duration sweepInterval, @DefaultValue("200") int batch) {
    }
}
