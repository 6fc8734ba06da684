package io.switchboard.gateway.runs;

import static io.switchboard.events.Priority.BACKGROUND;
import static io.switchboard.events.Priority.INTERACTIVE;
import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Priority;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InteractiveShareTest {

    private final SteppedClock clock = new SteppedClock();
    private final InteractiveShare share = new InteractiveShare(
            new InteractiveShare.InteractiveShareProperties(Duration.ofSeconds(10), 20, 2), clock);

    @Test
    void aTenantAloneIsNeverOverItsShare() {
        assertThat(send("globex", 1_000)).containsOnly(INTERACTIVE);
    }

    @Test
    void aFloodingTenantTakesTheBackgroundLaneWhileALightOneKeepsTheInteractiveLane() {
        send("acme", 5);
        send("globex", 100);

        assertThat(send("globex", 10)).containsOnly(BACKGROUND);
        assertThat(send("acme", 5)).containsOnly(INTERACTIVE);
    }

    @Test
    void aBurstIsCaughtOnTheRunThatTakesTheTenantOverItsShareNotAtTheNextJudgement() {
        send("acme", 5);

        Priority[] burst = send("globex", 100);

        // over twice acme's 5 runs and at the minimum of 20 from its 20th run on
        assertThat(Arrays.copyOfRange(burst, 0, 19)).containsOnly(INTERACTIVE);
        assertThat(Arrays.copyOfRange(burst, 19, 100)).containsOnly(BACKGROUND);
    }

    @Test
    void tenantsSendingAlikeAreNeitherOver() {
        for (int i = 0; i < 20; i++) {
            assertThat(send("acme", 10)).containsOnly(INTERACTIVE);
            assertThat(send("globex", 15)).containsOnly(INTERACTIVE);
        }
    }

    @Test
    void backgroundRunsKeepTheirLaneAndDoNotCount() {
        send("acme", 5);
        IntStream.range(0, 500).forEach(i -> assertThat(share.lane("globex", BACKGROUND)).isEqualTo(BACKGROUND));

        assertThat(send("globex", 10)).containsOnly(INTERACTIVE);
    }

    @Test
    void aTenantComesBackToTheInteractiveLaneOnceItsFloodLeavesTheWindow() {
        send("acme", 5);
        send("globex", 100);
        assertThat(send("globex", 1)).containsOnly(BACKGROUND);

        clock.advance(Duration.ofSeconds(11));
        send("acme", 5);

        assertThat(send("globex", 10)).containsOnly(INTERACTIVE);
    }

    /** Sends {@code runs} interactive runs of the tenant at once, then lets a judging interval pass; returns their lanes. */
    private Priority[] send(String tenantId, int runs) {
        Priority[] lanes = new Priority[runs];
        for (int i = 0; i < runs; i++) {
            lanes[i] = share.lane(tenantId, INTERACTIVE);
        }
        clock.advance(InteractiveShare.JUDGED_EVERY);
        return lanes;
    }

    private static final class SteppedClock extends Clock {

        private Instant now = Instant.parse("2026-12-02T12:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
