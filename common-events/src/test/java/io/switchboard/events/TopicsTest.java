package io.switchboard.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each topic where work waits has a lane per priority class, declared with the others. */
class TopicsTest {

    @Test
    void backgroundWorkTakesTheBackgroundLaneOfEachTopicWhereWorkWaits() {
        assertThat(Topics.lane(Topics.AGENT_REQUESTED, Priority.INTERACTIVE)).isEqualTo(Topics.AGENT_REQUESTED);
        assertThat(Topics.lane(Topics.AGENT_REQUESTED, Priority.BACKGROUND)).isEqualTo(Topics.AGENT_REQUESTED_BACKGROUND);
        assertThat(Topics.lane(Topics.AGENT_TOOL_CALLED, Priority.BACKGROUND)).isEqualTo(Topics.AGENT_TOOL_CALLED_BACKGROUND);
        assertThat(Topics.lane(Topics.AGENT_STEP_COMPLETED, Priority.BACKGROUND)).isEqualTo(Topics.AGENT_STEP_COMPLETED_BACKGROUND);

        assertThat(Topics.laneOf(Topics.AGENT_TOOL_CALLED_BACKGROUND)).isEqualTo(Priority.BACKGROUND);
        assertThat(Topics.laneOf(Topics.AGENT_TOOL_CALLED)).isEqualTo(Priority.INTERACTIVE);
        assertThat(Topics.ALL).contains(Topics.AGENT_REQUESTED_BACKGROUND, Topics.AGENT_TOOL_CALLED_BACKGROUND,
                Topics.AGENT_STEP_COMPLETED_BACKGROUND);
    }
}
