package io.switchboard.planner.tasks;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.Priority;
import org.junit.jupiter.api.Test;

class FairShareTest {

    @Test
    void aTenantSinksOneStepPerFourfoldExcessOverItsShareAndNoFurtherThanTheBand() {
        assertThat(FairShare.demotion(0, 100)).isZero();
        assertThat(FairShare.demotion(100, 100)).isZero();
        assertThat(FairShare.demotion(101, 100)).isEqualTo(1);
        assertThat(FairShare.demotion(400, 100)).isEqualTo(1);
        assertThat(FairShare.demotion(401, 100)).isEqualTo(2);
        assertThat(FairShare.demotion(1_000_000, 100)).isEqualTo(3);
    }

    @Test
    void demotedInteractiveWorkStaysAboveBackgroundWork() {
        assertThat(Priority.INTERACTIVE.amqpPriority(3)).isEqualTo(6).isGreaterThan(Priority.BACKGROUND.amqpPriority(0));
        assertThat(Priority.BACKGROUND.amqpPriority(3)).isEqualTo(1);
        assertThat(Priority.INTERACTIVE.amqpPriority(9)).isEqualTo(6);
    }
}
