package io.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ModelLoopTest {

    private static final Instant T = Instant.parse("2026-12-01T20:00:00Z");

    @Test
    void thePlatformsTimeAroundModelCallsLeavesOutTheModelAndTheTool() {
        ModelLoop.Timeline run = new ModelLoop.Timeline(T, T.plusMillis(12), T.plusMillis(512), 3, T.plusMillis(530),
                T.plusMillis(1_030), T.plusMillis(1_038));

        assertThat(run.toFirstCall()).isEqualTo(Duration.ofMillis(12));
        assertThat(run.betweenCalls()).isEqualTo(Duration.ofMillis(15));
        assertThat(run.afterAnswer()).isEqualTo(Duration.ofMillis(8));
        assertThat(run.endToEnd()).isEqualTo(Duration.ofMillis(1_038));
    }

    @Test
    void aRunCompletedInTheMillisecondBeforeTheModelsMicrosecondsCountsAsNoTimeNotLess() {
        // completedAt has milliseconds only; the model's clock is finer
        ModelLoop.Timeline run = new ModelLoop.Timeline(T, T.plusMillis(5), T.plusMillis(505), 10, T.plusMillis(512),
                T.plusNanos(1_012_400_000), T.plusMillis(1_012));

        assertThat(run.betweenCalls()).isZero();
        assertThat(run.afterAnswer()).isZero();
    }
}
