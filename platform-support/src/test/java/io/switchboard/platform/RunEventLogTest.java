package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.RunStatus;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.stream.StepResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** A run's event stream against the real Redis: once per event id, nothing after the end, deadlines. */
class RunEventLogTest {

    private final StringRedisTemplate redis = RedisForTests.connect();
    private final RunEventLog log = new RunEventLog(redis, Duration.ofMinutes(10));
    private final String runId = "run-log-test-" + UUID.randomUUID();
    private final RunAccepted accepted = new RunAccepted(runId, "conv-1", "calculator", Priority.INTERACTIVE, "corr-1",
            Instant.parse("2026-12-01T10:00:00Z"), Instant.parse("2026-12-01T10:01:00Z"));

    @AfterEach
    void cleanUp() {
        log.discard("acme", runId);
    }

    @Test
    void appendsEachEventOnceAndNothingAfterTheRunEnded() {
        assertThat(log.append("acme", runId, "e1", accepted)).isEqualTo(RunEventLog.Append.APPENDED);
        assertThat(log.append("acme", runId, "e1", accepted)).isEqualTo(RunEventLog.Append.DUPLICATE);
        assertThat(log.ended("acme", runId)).isEmpty();

        assertThat(log.append("acme", runId, "cancel", ended(RunStatus.CANCELLED))).isEqualTo(RunEventLog.Append.APPENDED);
        assertThat(log.ended("acme", runId)).hasValue("run.cancelled");

        assertThat(log.append("acme", runId, "s1", new StepResult(1, 1, 0))).isEqualTo(RunEventLog.Append.RUN_ENDED);
        assertThat(log.append("acme", runId, "done", ended(RunStatus.SUCCEEDED))).isEqualTo(RunEventLog.Append.RUN_ENDED);
        assertThat(log.append("acme", runId, "cancel", ended(RunStatus.CANCELLED))).isEqualTo(RunEventLog.Append.DUPLICATE);
        assertThat(log.read("acme", runId, null)).extracting(RunEventLog.Entry::name)
                .containsExactly("run.accepted", "run.cancelled");
        assertThat(log.ended("globex", runId)).isEmpty();
    }

    @Test
    void readsBackTheTypedEventsItWroteAndTheAcceptedOneAlone() {
        log.append("acme", runId, "e1", accepted);
        log.append("acme", runId, "s1", new StepResult(1, 2, 1));

        List<RunEventLog.Entry> entries = log.read("acme", runId, null);

        assertThat(entries).extracting(RunEventLog.Entry::event).containsExactly(accepted, new StepResult(1, 2, 1));
        assertThat(log.read("acme", runId, entries.getFirst().id())).extracting(RunEventLog.Entry::name)
                .containsExactly("step.completed");
        assertThat(log.accepted("acme", runId)).hasValue(accepted);
        assertThat(log.accepted("globex", runId)).isEmpty();
    }

    @Test
    void anEndAppendsTheStepBeforeItStopsWatchingTheDeadlineAndTakesTheRunOutOfFlightInTheSameRoundTrip() {
        log.appendAccepted("acme", runId, "e1", accepted);
        String inFlight = RedisKeys.interactiveRunsInFlight("acme");
        redis.opsForZSet().add(inFlight, "acme/" + runId, accepted.deadline().toEpochMilli()); // as the gateway adds it
        assertThat(log.overdue(accepted.deadline().plusSeconds(1), 100_000)).contains(new RunEventLog.RunRef("acme", runId));

        RunEventLog.Ending first = log.appendEnd("acme", runId, new RunEventLog.Pending("s1", new StepResult(1, 1, 0)),
                "done", ended(RunStatus.SUCCEEDED));
        RunEventLog.Ending repeat = log.appendEnd("acme", runId, null, "done", ended(RunStatus.SUCCEEDED));
        RunEventLog.Ending other = log.appendEnd("acme", runId, null, "cancel", ended(RunStatus.CANCELLED));

        assertThat(first).isEqualTo(new RunEventLog.Ending(RunEventLog.Append.APPENDED, Optional.of(accepted)));
        assertThat(repeat).isEqualTo(new RunEventLog.Ending(RunEventLog.Append.DUPLICATE, Optional.empty()));
        assertThat(other).isEqualTo(new RunEventLog.Ending(RunEventLog.Append.RUN_ENDED, Optional.empty()));
        assertThat(log.ended("acme", runId)).hasValue("run.completed");
        assertThat(log.read("acme", runId, null)).extracting(RunEventLog.Entry::name)
                .containsExactly("run.accepted", "step.completed", "run.completed");
        assertThat(log.overdue(accepted.deadline().plusSeconds(1), 100_000)).doesNotContain(new RunEventLog.RunRef("acme", runId));
        assertThat(redis.opsForZSet().score(inFlight, "acme/" + runId)).isNull();
    }

    private static RunEnded ended(RunStatus status) {
        return new RunEnded(status, null, status == RunStatus.CANCELLED ? "cancelled by the client" : null, Instant.now());
    }

    @Test
    void aWatchedRunIsOverdueAfterItsDeadlineUntilUnwatched() {
        log.watchDeadline("acme", runId, Instant.now().plusSeconds(60));
        assertThat(log.overdue(Instant.now(), 10_000)).doesNotContain(new RunEventLog.RunRef("acme", runId));
        assertThat(log.overdue(Instant.now().plusSeconds(61), 10_000)).contains(new RunEventLog.RunRef("acme", runId));

        log.unwatch("acme", runId);
        assertThat(log.overdue(Instant.now().plusSeconds(61), 10_000)).doesNotContain(new RunEventLog.RunRef("acme", runId));
    }
}
