package io.switchboard.worker.models;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.EventIds;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.stream.ModelCompleted;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.ActiveProfiles;

/** A step's reply recorded, shown and settled in one round trip, once, against the real Redis. */
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

        RecordedReplies.Recording recorded = replies.record(tenant, runId, 2, "task-a", first, eventId, first.completed(2));
        RecordedReplies.Recording again = replies.record(tenant, runId, 2, "task-a", first, eventId, first.completed(2));
        RecordedReplies.Recording other = replies.record(tenant, runId, 2, "task-b", second, eventId, second.completed(2));

        assertThat(recorded).isEqualTo(new RecordedReplies.Recording(true, true, null));
        assertThat(again).isEqualTo(new RecordedReplies.Recording(false, false, new RecordedReplies.Recorded("task-a", first)));
        assertThat(other).isEqualTo(new RecordedReplies.Recording(false, false, new RecordedReplies.Recorded("task-a", first)));
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
}
