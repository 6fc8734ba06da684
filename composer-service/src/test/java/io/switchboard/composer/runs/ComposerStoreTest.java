package io.switchboard.composer.runs;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Envelope;
import io.switchboard.events.RunStatus;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.events.stream.ToolResult;
import io.switchboard.platform.RunEventLog;
import java.time.Instant;
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

        ComposerStore.Gathered one = store.gather(cause(second), 1, second, ToolResult.of(1, second), 2);
        ComposerStore.Gathered both = store.gather(cause(first), 1, first, ToolResult.of(1, first), 2);
        ComposerStore.Gathered again = store.gather(cause(first), 1, first, ToolResult.of(1, first), 2);

        assertThat(one).isEqualTo(new ComposerStore.Gathered(false, null));
        assertThat(both.stepOutcomes()).containsExactly(first, second);
        assertThat(again.stepOutcomes()).containsExactly(first, second);
        assertThat(runEvents.read("acme", runId, null)).extracting(RunEventLog.Entry::name)
                .containsExactly("tool.succeeded", "tool.succeeded");
    }

    @Test
    void anOutcomeShownBeforeIsOnlyGatheredAndNothingIsGatheredOnceTheRunEnded() {
        ToolOutcome model = outcome(0);
        assertThat(store.gather(cause(model), 1, model, null, 1).stepOutcomes()).containsExactly(model);
        assertThat(runEvents.read("acme", runId, null)).isEmpty();

        runEvents.append("acme", runId, "cancel", new RunEnded(RunStatus.CANCELLED, null, "cancelled", Instant.now()));
        ToolOutcome late = outcome(0);

        assertThat(store.gather(cause(late), 2, late, ToolResult.of(2, late), 1).runEnded()).isTrue();
        assertThat(store.gather(cause(late), 2, late, null, 1).runEnded()).isTrue();
        assertThat(store.outcomes(cause(late), 2)).isEmpty();
        assertThat(runEvents.read("acme", runId, null)).extracting(RunEventLog.Entry::name).containsExactly("run.cancelled");
    }

    private ToolOutcome outcome(int index) {
        return new ToolOutcome(runId + ".s1.t" + index, "math.eval", index, Map.of("expression", index + "+1"),
                ToolStatus.SUCCEEDED, Map.of("value", index + 1), null, 1, 2, false, null);
    }

    private Envelope cause(ToolOutcome outcome) {
        return Envelope.origin(outcome.taskId() + ".called", "/test", ToolCalled.class, "acme", "corr-" + runId, runId);
    }
}
