package io.switchboard.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class TaskRoutingTest {

    @Test
    void retryDelaysAreSpreadOverTheLastQuarterBelowTheTiersDelay() {
        long[] delays = LongStream.range(0, 1_000).map(i -> TaskRouting.jittered(Duration.ofSeconds(5))).toArray();

        assertThat(LongStream.of(delays).min().orElseThrow()).isGreaterThanOrEqualTo(3_750L);
        assertThat(LongStream.of(delays).max().orElseThrow()).isLessThanOrEqualTo(5_000L);
        assertThat(LongStream.of(delays).distinct().count()).isGreaterThan(100);
    }

    @Test
    void aRetryAfterGoesToTheFirstTierLongEnoughToHoldIt() {
        assertThat(TaskRouting.tierFor(Duration.ofMillis(300)).name()).isEqualTo("1s");
        assertThat(TaskRouting.tierFor(Duration.ofSeconds(1)).name()).isEqualTo("1s");
        assertThat(TaskRouting.tierFor(Duration.ofMillis(1001)).name()).isEqualTo("5s");
        assertThat(TaskRouting.tierFor(Duration.ofSeconds(12)).name()).isEqualTo("30s");
        assertThat(TaskRouting.tierFor(Duration.ofMinutes(5)).name()).isEqualTo("30s");
    }

    @Test
    void aRetryAfterIsJitteredUpwardsButNeverBelowItNorAboveTheTiersDelay() {
        long[] delays = LongStream.range(0, 1_000).map(i -> TaskRouting.notBefore(Duration.ofSeconds(2), Duration.ofSeconds(5))).toArray();
        assertThat(LongStream.of(delays).min().orElseThrow()).isGreaterThanOrEqualTo(2_000L);
        assertThat(LongStream.of(delays).max().orElseThrow()).isLessThanOrEqualTo(2_200L);
        assertThat(LongStream.of(delays).distinct().count()).isGreaterThan(20);

        assertThat(TaskRouting.notBefore(Duration.ofSeconds(1), Duration.ofSeconds(1))).isEqualTo(1_000L);
        assertThat(TaskRouting.notBefore(Duration.ofMinutes(2), Duration.ofSeconds(30))).isEqualTo(30_000L);
    }

    @Test
    void aWaitLongerThanTheLongestTierGoesRoundItWithTheTimeItIsDue() {
        TaskRouting.Hold twoMinutes = TaskRouting.hold(Duration.ofMinutes(2), 1_000_000L);
        assertThat(twoMinutes.tier().name()).isEqualTo("30s");
        assertThat(twoMinutes.expirationMillis()).isEqualTo(30_000L);
        assertThat(twoMinutes.notBefore()).hasValue(1_120_000L);

        TaskRouting.Hold twentySeconds = TaskRouting.hold(Duration.ofSeconds(20), 1_000_000L);
        assertThat(twentySeconds.tier().name()).isEqualTo("30s");
        assertThat(twentySeconds.expirationMillis()).isBetween(20_000L, 20_250L);
        assertThat(twentySeconds.notBefore()).isEmpty();
    }
}
