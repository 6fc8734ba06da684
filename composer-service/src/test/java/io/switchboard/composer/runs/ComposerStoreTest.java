package io.switchboard.composer.runs;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Envelope;
import io.switchboard.events.RunStatus;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.stream.StepResult;
import io.switchboard.events.stream.ToolResult;
import io.switchboard.platform.RunEventLog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;

/** Showing and gathering a step's outcomes in one round trip, against the real Redis. */
@SpringBootTest(properties = "switchboard.store.recovery-interval=1s")
@ActiveProfiles("local")
class ComposerStoreTest {

    @Autowired
    ComposerStore store;

    @Autowired
    RunEventLog runEvents;

    private final String runId = "composer-store-test-" + UUID.randomUUID();

    @AfterEach
    void cleanUp() {
        runEvents.discard("acme", runId);
    }

    @Test
    void aStepsOutcomesComeBackInTaskOrderOnceAllAreGatheredEachShownOnce() {
        ToolOutcome second = outcome(1);
        ToolOutcome first = outcome(0);

        ComposerStore.Gathered one = gather(1, second, ToolResult.of(1, second), 2);
        ComposerStore.Gathered both = gather(1, first, ToolResult.of(1, first), 2);
        ComposerStore.Gathered again = gather(1, first, ToolResult.of(1, first), 2);

        assertThat(one).isEqualTo(new ComposerStore.Gathered(false, null, null));
        assertThat(both.stepOutcomes()).containsExactly(first, second);
        assertThat(again.stepOutcomes()).containsExactly(first, second);
        assertThat(runEvents.read("acme", runId, null)).extracting(RunEventLog.Entry::name)
                .containsExactly("tool.succeeded", "tool.succeeded");
    }

    @Test
    void anOutcomeShownBeforeIsOnlyGatheredAndNothingIsGatheredOnceTheRunEnded() {
        ToolOutcome model = outcome(0);
        assertThat(gather(1, model, null, 1).stepOutcomes()).containsExactly(model);
        assertThat(runEvents.read("acme", runId, null)).isEmpty();

        runEvents.append("acme", runId, "cancel", new RunEnded(RunStatus.CANCELLED, null, "cancelled", Instant.now()));
        ToolOutcome late = outcome(0);

        assertThat(gather(2, late, ToolResult.of(2, late), 1).runEnded()).isTrue();
        assertThat(gather(2, late, null, 1).runEnded()).isTrue();
        assertThat(store.outcomes(cause(late), 2)).isEmpty();
        assertThat(runEvents.read("acme", runId, null)).extracting(RunEventLog.Entry::name).containsExactly("run.cancelled");
    }

    @Test
    void outcomesThatCameTogetherAreShownAndGatheredInOneCall() {
        ToolOutcome first = outcome(0);
        ToolOutcome second = outcome(1);
        ToolOutcome third = outcome(2);
        assertThat(gather(1, third, ToolResult.of(1, third), 3)).isEqualTo(new ComposerStore.Gathered(false, null, null));

        ComposerStore.Gathered all = store.gather("acme", runId, 1, List.of(shown(second), shown(first), shown(third)), 3, null);

        assertThat(all.stepOutcomes()).containsExactly(first, second, third);
        assertThat(runEvents.read("acme", runId, null)).extracting(RunEventLog.Entry::name)
                .containsExactly("tool.succeeded", "tool.succeeded", "tool.succeeded");
    }

    @Test
    void aStepsCompletionGivenWithItsOutcomesIsAppendedAfterThemOnceTheStepHasThemAllAndNotAfterTheRunEnded() {
        ToolOutcome first = outcome(0);
        ToolOutcome second = outcome(1);
        RunEventLog.Pending completion = new RunEventLog.Pending(runId + ".s1.completed", new StepResult(1, 2, 0));

        ComposerStore.Gathered one = store.gather("acme", runId, 1, List.of(shown(first)), 2, completion);
        ComposerStore.Gathered both = store.gather("acme", runId, 1, List.of(shown(second)), 2, completion);
        ComposerStore.Gathered again = store.gather("acme", runId, 1, List.of(shown(second)), 2, completion);
        runEvents.append("acme", runId, "cancel", new RunEnded(RunStatus.CANCELLED, null, "cancelled", Instant.now()));
        ComposerStore.Gathered late = store.gather("acme", runId, 2, List.of(new ComposerStore.Outcome("late", outcome(0), null)), 1,
                new RunEventLog.Pending(runId + ".s2.completed", new StepResult(2, 1, 0)));

        assertThat(one).isEqualTo(new ComposerStore.Gathered(false, null, null));
        assertThat(both).isEqualTo(new ComposerStore.Gathered(false, List.of(first, second), RunEventLog.Append.APPENDED));
        assertThat(again).isEqualTo(new ComposerStore.Gathered(false, List.of(first, second), RunEventLog.Append.DUPLICATE));
        assertThat(late.runEnded()).isTrue();
        assertThat(runEvents.read("acme", runId, null)).extracting(RunEventLog.Entry::name)
                .containsExactly("tool.succeeded", "tool.succeeded", StepResult.NAME, "run.cancelled");
    }

    @Test
    void outcomesThatCameTogetherAfterTheRunEndedAreNotGathered() {
        runEvents.append("acme", runId, "cancel", new RunEnded(RunStatus.CANCELLED, null, "cancelled", Instant.now()));
        ToolOutcome first = outcome(0);
        ToolOutcome second = outcome(1);

        assertThat(store.gather("acme", runId, 1, List.of(shown(first), shown(second)), 2, null).runEnded()).isTrue();
        assertThat(store.outcomes(cause(first), 1)).isEmpty();
    }

    private ComposerStore.Gathered gather(int step, ToolOutcome outcome, ToolResult shown, int taskCount) {
        return store.gather("acme", runId, step, List.of(new ComposerStore.Outcome(cause(outcome).id(), outcome, shown)), taskCount, null);
    }

    private ComposerStore.Outcome shown(ToolOutcome outcome) {
        return new ComposerStore.Outcome(cause(outcome).id(), outcome, ToolResult.of(1, outcome));
    }

    private ToolOutcome outcome(int index) {
        return new ToolOutcome(runId + ".s1.t" + index, "math.eval", index, Map.of("expression", index + "+1"),
                ToolStatus.SUCCEEDED, Map.of("value", index + 1), null, 1, 2, false, null);
    }

    private Envelope cause(ToolOutcome outcome) {
        return Envelope.origin(outcome.taskId() + ".called", "/test", ToolCalled.class, "acme", "corr-" + runId, runId);
    }
}
