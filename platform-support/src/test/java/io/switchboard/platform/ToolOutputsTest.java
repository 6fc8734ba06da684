package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolCalled;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.ToolStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** The claim check for tool outputs, on the real Redis: large outputs travel by reference and come back whole. */
class ToolOutputsTest {

    private final StringRedisTemplate redis = RedisForTests.connect();
    private final ToolOutputs outputs = new ToolOutputs(redis, 64 * 1024, Duration.ofMinutes(5));
    private final String tenant = "t-" + UUID.randomUUID();
    private final String run = UUID.randomUUID().toString();

    @AfterEach
    void cleanUp() {
        RedisForTests.deleteAll(redis, "sb:" + tenant + ":*");
    }

    @Test
    void aSmallOutputTravelsInline() {
        ToolOutcome small = outcome("t0", Map.of("value", 4));

        assertThat(outputs.checkIn(tenant, run, small)).isSameAs(small);
        assertThat(redis.hasKey(RedisKeys.runOutputs(tenant, run))).isFalse();
    }

    @Test
    void aLargeOutputTravelsByReferenceAndIsClaimedBackWholeInOrder() {
        // quotes and control characters grow as JSON: 256 KB of them is 1.5 MB escaped
        String page = "\"\u0001".repeat(128 * 1024);
        ToolOutcome large = outcome("t1", Map.of("text", page, "status", 200));
        ToolOutcome small = outcome("t0", Map.of("value", 4));

        ToolOutcome checkedIn = outputs.checkIn(tenant, run, large);

        assertThat(checkedIn.output()).isNull();
        assertThat(checkedIn.outputRef()).isEqualTo("run-outputs/" + run + ".s1.t1");
        byte[] record = EventCodec.encode(new ToolCalled(run, "conv", "research", 1, 2, false, checkedIn, false));
        assertThat(record.length).as("the event's size").isLessThan(1_024);
        assertThat(outputs.claimAll(tenant, run, List.of(small, checkedIn)))
                .containsExactly(small, large);
    }

    @Test
    void largeArgumentsAreKeptAsideTooWithAFailedCallsReason() {
        ToolOutcome failed = new ToolOutcome(run + ".s2.t0", "text.summarize", 0, Map.of("text", "\"".repeat(200_000)),
                ToolStatus.FAILED, null, "too long", 1, 3, false);

        ToolOutcome checkedIn = outputs.checkIn(tenant, run, failed);

        assertThat(checkedIn.args()).isEmpty();
        assertThat(checkedIn.error()).isEqualTo("too long");
        assertThat(outputs.claim(tenant, run, checkedIn)).isEqualTo(failed);
    }

    @Test
    void anOutputNoLongerKeptIsClaimedAsUnavailableNotLost() {
        ToolOutcome checkedIn = outputs.checkIn(tenant, run, outcome("t2", Map.of("text", "x".repeat(100_000))));
        redis.delete(RedisKeys.runOutputs(tenant, run));

        ToolOutcome claimed = outputs.claim(tenant, run, checkedIn);
        assertThat(claimed.output()).containsOnlyKeys("unavailable");
        assertThat(claimed.outputRef()).isNull();
    }

    private ToolOutcome outcome(String task, Map<String, Object> output) {
        return new ToolOutcome(run + ".s1." + task, "http.fetch", task.charAt(1) - '0', Map.of("url", "http://docs/"),
                ToolStatus.SUCCEEDED, output, null, 1, 3, false);
    }
}
