package io.switchboard.composer.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.platform.RunEventLog;
import io.switchboard.store.RunStore;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Runs outlive the loss of Redis. A run the store has seen accepted but not ended, whose live
 * stream Redis no longer has (flushed, or restarted without its data), gets its
 * {@code run.accepted} back from the store and its deadline watched again: the run ends, by its
 * own events if its work goes on, or failed at its deadline, saying so; none hangs.
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
        for (RunStore.Unfinished run : store.unfinished(now.minus(HORIZON), 1_000)) {
            RunAccepted accepted = run.accepted();
            if (accepted.createdAt().isAfter(now.minus(SETTLING)) || runEvents.exists(run.tenant(), accepted.runId())) {
                continue;
            }
            Instant deadline = accepted.deadline() != null ? accepted.deadline() : accepted.createdAt().plus(FALLBACK_DEADLINE);
            RunAccepted restored = new RunAccepted(accepted.runId(), accepted.conversationId(), accepted.agent(),
                    accepted.priority(), accepted.correlationId(), accepted.createdAt(), deadline);
            runEvents.append(run.tenant(), accepted.runId(), "recovered:" + accepted.runId(), restored);
            runEvents.watchDeadline(run.tenant(), accepted.runId(), deadline);
            recovered.increment();
            LOG.warn("run {} of tenant {} had lost its live state; recovered from the store, due by {}", accepted.runId(),
                    run.tenant(), deadline);
        }
    }
}
