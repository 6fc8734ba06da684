package io.switchboard.composer.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.platform.RunEventLog;
import io.switchboard.store.RunStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs outlive the loss of Redis. A run the store has seen accepted but not ended, whose stream
 * or deadline watch Redis no longer has (flushed, or restarted without its data), gets its
 * {@code run.accepted} back from the store if its stream is gone and its deadline watched again:
 * the run ends, by its own events if its work goes on, or failed at its deadline, saying so; none
 * hangs. A run Redis has seen end is left alone: only its end has yet to reach the store.
 */
@Component
class RunRecovery {

    private static final Logger LOG = LoggerFactory.getLogger(RunRecovery.class);
    /** Longer than any agent's deadline: older unfinished runs were ended or recovered before. */
    private static final Duration HORIZON = Duration.ofDays(1);
    /** A run accepted this recently may not have reached Redis's reader yet; it is looked at next time. */
    private static final Duration SETTLING = Duration.ofSeconds(5);
    private static final Duration FALLBACK_DEADLINE = Duration.ofMinutes(5);

    private final RunStore store;
    private final RunEventLog runEvents;
    private final Counter recovered;

    RunRecovery(RunStore store, RunEventLog runEvents, MeterRegistry meters) {
        this.store = store;
        this.runEvents = runEvents;
        this.recovered = meters.counter("switchboard.runs.recovered");
    }

    @Scheduled(initialDelayString = "${switchboard.store.recovery-interval:15s}",
            fixedDelayString = "${switchboard.store.recovery-interval:15s}")
    void recover() {
        Instant now = Instant.now();
        List<RunStore.Unfinished> runs = store.unfinished(now.minus(HORIZON), 1_000).stream()
                .filter(run -> run.accepted().createdAt().isBefore(now.minus(SETTLING))).toList();
        List<RunEventLog.LiveState> live = runEvents.liveState(runs.stream()
                .map(run -> new RunEventLog.RunRef(run.tenant(), run.accepted().runId())).toList());
        for (int i = 0; i < runs.size(); i++) {
            RunStore.Unfinished run = runs.get(i);
            RunEventLog.LiveState state = live.get(i);
            // A run Redis saw end (its end not yet stored: the store's writer runs behind) needs nothing.
            if (state.ended() || state.stream() && state.watched()) {
                continue;
            }
            RunAccepted accepted = run.accepted();
            Instant deadline = accepted.deadline() != null ? accepted.deadline() : accepted.createdAt().plus(FALLBACK_DEADLINE);
            if (!state.stream()) {
                runEvents.append(run.tenant(), accepted.runId(), "recovered:" + accepted.runId(), new RunAccepted(
                        accepted.runId(), accepted.conversationId(), accepted.agent(), accepted.priority(),
                        accepted.correlationId(), accepted.createdAt(), deadline));
            }
            runEvents.watchDeadline(run.tenant(), accepted.runId(), deadline);
            recovered.increment();
            LOG.warn("run {} of tenant {} had lost its live state ({}); recovered from the store, due by {}", accepted.runId(),
                    run.tenant(), state.stream() ? "its deadline watch" : "its stream", deadline);
        }
    }
}
