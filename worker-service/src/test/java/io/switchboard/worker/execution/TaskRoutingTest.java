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
}
