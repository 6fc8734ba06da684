package io.switchboard.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.RunStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;

/** A run's event stream against the real Redis: once per event id, nothing after the end, deadlines. */
class RunEventLogTest {

    private final StringRedisTemplate redis = RedisForTests.connect();
    private final RunEventLog log = new RunEventLog(redis, Duration.ofMinutes(10));
    private final String runId = "run-log-test-" + UUID.randomUUID();

    @AfterEach
    void cleanUp() {
        log.discard("acme", runId);
    }

    @Test
    void appendsEachEventOnceAndNothingAfterTheRunEnded() {
        assertThat(log.append("acme", runId, "e1", RunStream.Event.RUN_ACCEPTED, Map.of())).isEqualTo(RunEventLog.Append.APPENDED);
        assertThat(log.append("acme", runId, "e1", RunStream.Event.RUN_ACCEPTED, Map.of())).isEqualTo(RunEventLog.Append.DUPLICATE);
        assertThat(log.ended("acme", runId)).isEmpty();

        assertThat(log.append("acme", runId, "cancel", RunStream.Event.RUN_CANCELLED, Map.of())).isEqualTo(RunEventLog.Append.APPENDED);
        assertThat(log.ended("acme", runId)).hasValue("run.cancelled");

        assertThat(log.append("acme", runId, "t1", RunStream.Event.TOOL_SUCCEEDED, Map.of())).isEqualTo(RunEventLog.Append.RUN_ENDED);
        assertThat(log.append("acme", runId, "done", RunStream.Event.RUN_COMPLETED, Map.of())).isEqualTo(RunEventLog.Append.RUN_ENDED);
        assertThat(log.append("acme", runId, "cancel", RunStream.Event.RUN_CANCELLED, Map.of())).isEqualTo(RunEventLog.Append.DUPLICATE);
        assertThat(log.read("acme", runId, null)).extracting(r -> r.getValue().get(RunStream.EVENT_FIELD))
                .containsExactly("run.accepted", "run.cancelled");
        assertThat(log.ended("globex", runId)).isEmpty();
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
