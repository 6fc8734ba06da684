package io.switchboard.worker.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.EventIds;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.RunStatus;
import io.switchboard.events.stream.MessageDelta;
import io.switchboard.events.stream.ModelCompleted;
import io.switchboard.events.stream.RunEnded;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;

/**
 * A step's reply recorded, shown after the answer's last delta, settled and its call's tokens corrected in
 * its rate limit, in one round trip, once, against the real Redis.
 */
@SpringBootTest
@ActiveProfiles("local")
class RecordedRepliesTest {

    @Autowired
    RecordedReplies replies;

    @Autowired
    RunEventLog runEvents;

    @Autowired
    TokenBudgets budgets;

    @Autowired
    StringRedisTemplate redis;

    private final String tenant = "replies-test-" + UUID.randomUUID();
    private final String runId = UUID.randomUUID().toString();
    private final String minuteTokens = "sb:model-rate:" + tenant + ":tokens:1";

    @Test
    void theFirstReplyOfAStepIsRecordedShownAndSettledOnceAndEveryLaterOneFindsIt() {
        assertThat(budgets.admit(tenant, runId, 1_000_000, 10_000, 0).admitted()).isTrue();
        assertThat(budgets.reserve(tenant, runId, "task-a", 500)).isEmpty();
        ModelReply first = new ModelReply("Forty-two.", List.of(), "stop", "gpt-test", new ModelReply.Usage(120, 30));
        ModelReply second = new ModelReply("Forty-three.", List.of(), "stop", "gpt-test", new ModelReply.Usage(200, 90));
        // The provider key's minute, with 500 tokens taken for task-a's call and 400 for task-b's.
        redis.opsForValue().set(minuteTokens, "900", Duration.ofMinutes(2));

        RecordedReplies.Recording recorded = replies.record(tenant, runId, 2, "task-a", permit(500), null, first);
        RecordedReplies.Recording again = replies.record(tenant, runId, 2, "task-a", permit(150), null, first);
        RecordedReplies.Recording other = replies.record(tenant, runId, 2, "task-b", permit(400), null, second);

        assertThat(recorded).isEqualTo(new RecordedReplies.Recording(true, true, null, false));
        assertThat(again).isEqualTo(new RecordedReplies.Recording(false, false, new RecordedReplies.Recorded("task-a", first), false));
        assertThat(other).isEqualTo(new RecordedReplies.Recording(false, false, new RecordedReplies.Recorded("task-a", first), false));
        assertThat(RecordedReplies.decode(redis.opsForValue().get(RecordedReplies.key(tenant, runId, 2))))
                .isEqualTo(new RecordedReplies.Recorded("task-a", first));
        List<RunEventLog.Entry> shown = runEvents.read(tenant, runId, null);
        assertThat(shown).extracting(RunEventLog.Entry::event)
                .containsExactly(new ModelCompleted(2, "gpt-test", "stop", new ModelCompleted.Usage(120, 30), List.of()));
        // The 500 reserved replaced by the 150 used, once.
        assertThat(budgets.run(tenant, runId).used()).isEqualTo(150);
        assertThat(redis.<String, String>opsForHash().entries(RedisKeys.modelUsagePerRun(tenant, runId)))
                .containsExactlyInAnyOrderEntriesOf(Map.of("gpt-test:prompt", "120", "gpt-test:completion", "30"));
        assertThat(redis.getExpire(RecordedReplies.key(tenant, runId, 2))).isPositive();
        // Each call that was made counts in the rate limit with what it used, recorded first or not: 150 + 290.
        assertThat(redis.opsForValue().get(minuteTokens)).isEqualTo("440");
    }

    @Test
    void theAnswersLastDeltaIsShownJustBeforeTheReplyAndARunThatHasEndedRecordsNothing() {
        ModelReply reply = new ModelReply("Forty-two.", List.of(), "stop", "gpt-test", new ModelReply.Usage(120, 30));
        MessageDelta last = new MessageDelta(1, 1, "two.");
        RunEventLog.Pending delta = new RunEventLog.Pending(EventIds.messageDelta(runId, 1, 1, 3), last);

        RecordedReplies.Recording recorded = replies.record(tenant, runId, 1, "task-a", permit(150), delta, reply);
        runEvents.append(tenant, runId, "ended", new RunEnded(RunStatus.CANCELLED, null, "cancelled by the client", Instant.now()));
        RecordedReplies.Recording late = replies.record(tenant, runId, 2, "task-b", permit(150), new RunEventLog.Pending(
                EventIds.messageDelta(runId, 2, 1, 0), new MessageDelta(2, 1, "Too late.")), reply);

        assertThat(recorded.now()).isTrue();
        assertThat(late).isEqualTo(RecordedReplies.Recording.RUN_ENDED);
        assertThat(runEvents.read(tenant, runId, null)).extracting(RunEventLog.Entry::name)
                .containsExactly(MessageDelta.NAME, ModelCompleted.NAME, RunEnded.CANCELLED);
        assertThat(runEvents.read(tenant, runId, null).getFirst().event()).isEqualTo(last);
        assertThat(redis.hasKey(RecordedReplies.key(tenant, runId, 2))).isFalse();
    }

    private ModelRateLimits.Permit permit(long tokens) {
        return new ModelRateLimits.Permit(minuteTokens, tokens, Optional.empty());
    }
}
