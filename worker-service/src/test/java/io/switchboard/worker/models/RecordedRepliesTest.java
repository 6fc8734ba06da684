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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;

/** A step's reply recorded, shown after the answer's last delta and settled in one round trip, once, against the real Redis. */
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

    @Test
    void theFirstReplyOfAStepIsRecordedShownAndSettledOnceAndEveryLaterOneFindsIt() {
        assertThat(budgets.admit(tenant, runId, 1_000_000, 10_000, 0).admitted()).isTrue();
        assertThat(budgets.reserve(tenant, runId, "task-a", 500)).isEmpty();
        ModelReply first = new ModelReply("Forty-two.", List.of(), "stop", "gpt-test", new ModelReply.Usage(120, 30));
        ModelReply second = new ModelReply("Forty-three.", List.of(), "stop", "gpt-test", new ModelReply.Usage(200, 90));
        String eventId = EventIds.modelCompleted(runId, 2);

        RecordedReplies.Recording recorded = replies.record(tenant, runId, 2, "task-a", null, first, eventId, first.completed(2));
        RecordedReplies.Recording again = replies.record(tenant, runId, 2, "task-a", null, first, eventId, first.completed(2));
        RecordedReplies.Recording other = replies.record(tenant, runId, 2, "task-b", null, second, eventId, second.completed(2));

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
    }

    @Test
    void theAnswersLastDeltaIsShownJustBeforeTheReplyAndARunThatHasEndedRecordsNothing() {
        ModelReply reply = new ModelReply("Forty-two.", List.of(), "stop", "gpt-test", new ModelReply.Usage(120, 30));
        MessageDelta last = new MessageDelta(1, 1, "two.");
        RunEventLog.Pending delta = new RunEventLog.Pending(EventIds.messageDelta(runId, 1, 1, 3), last);

        RecordedReplies.Recording recorded = replies.record(tenant, runId, 1, "task-a", delta, reply,
                EventIds.modelCompleted(runId, 1), reply.completed(1));
        runEvents.append(tenant, runId, "ended", new RunEnded(RunStatus.CANCELLED, null, "cancelled by the client", Instant.now()));
        RecordedReplies.Recording late = replies.record(tenant, runId, 2, "task-b", new RunEventLog.Pending(
                EventIds.messageDelta(runId, 2, 1, 0), new MessageDelta(2, 1, "Too late.")), reply, EventIds.modelCompleted(runId, 2),
                reply.completed(2));

        assertThat(recorded.now()).isTrue();
        assertThat(late).isEqualTo(RecordedReplies.Recording.RUN_ENDED);
        assertThat(runEvents.read(tenant, runId, null)).extracting(RunEventLog.Entry::name)
                .containsExactly(MessageDelta.NAME, ModelCompleted.NAME, RunEnded.CANCELLED);
        assertThat(runEvents.read(tenant, runId, null).getFirst().event()).isEqualTo(last);
        assertThat(redis.hasKey(RecordedReplies.key(tenant, runId, 2))).isFalse();
    }
}
