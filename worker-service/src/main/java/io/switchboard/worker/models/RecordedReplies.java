package io.switchboard.worker.models;

import io.switchboard.events.EventCodec;
import io.switchboard.events.EventIds;
import io.switchboard.events.RunStream;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TokenBudgets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The model's reply to each step, kept as long as runs are, so a model call is never paid for
 * twice: a redelivered or retried task finds the reply and does not call the provider again. The
 * worker's own keys: {@code sb:<tenant>:run:<run>:model:<step>}.
 */
@Component
class RecordedReplies {

    /**
     * KEYS: the step's reply, the run's stream, event ids and end mark ({@link RunStream#APPEND_FUNCTION}),
     * the budgets {@link TokenBudgets#SETTLE_FUNCTION} settles, then the rate limit's minute
     * ({@link ModelRateLimits#CORRECT_FUNCTION}). ARGV: the reply recorded, its retention in seconds,
     * the append's five arguments, the settlement's seven, the correction's one, then optionally the
     * five of an event to append first (the answer's last delta). Corrects the call's tokens in its
     * rate limit; then, unless the first append finds the run ended, records the reply unless one
     * was recorded before; a reply recorded now is shown on the run's stream and its call settled.
     * Returns {1, settled now}, {0, the reply recorded before} or {2} if the run has ended.
     */
    private static final RedisScript<List> RECORD = RedisScript.of(RunStream.APPEND_FUNCTION + TokenBudgets.SETTLE_FUNCTION
            + ModelRateLimits.CORRECT_FUNCTION + """
            correct_tokens(KEYS[9], ARGV[15])
            if ARGV[16] and run_append(KEYS[2], KEYS[3], KEYS[4], unpack(ARGV, 16, 20)) == 'ended' then
              return {2}
            end
            if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
              return {0, redis.call('GET', KEYS[1])}
            end
            run_append(KEYS[2], KEYS[3], KEYS[4], unpack(ARGV, 3, 7))
            return {1, settle(KEYS[5], KEYS[6], KEYS[7], KEYS[8], unpack(ARGV, 8, 14))}
            """, List.class);

    private final StringRedisTemplate redis;
    private final RunEventLog runEvents;
    private final TokenBudgets budgets;
    private final Duration retention;

    RecordedReplies(StringRedisTemplate redis, RunEventLog runEvents, TokenBudgets budgets, PlatformProperties properties) {
        this.redis = redis;
        this.runEvents = runEvents;
        this.budgets = budgets;
        this.retention = properties.runs().stateRetention();
    }

    /** A step's reply and the task that paid for it. */
    record Recorded(String taskId, ModelReply reply) {

        boolean paidBy(String task) {
            return taskId.equals(task);
        }
    }

    /**
     * What recording a reply came to: recorded now (shown, and settled unless it was before), the
     * reply another task of the step recorded first, which is the one that counts, or nothing
     * because the run has ended.
     */
    record Recording(boolean now, boolean settled, Recorded before, boolean runEnded) {

        static final Recording RUN_ENDED = new Recording(false, false, null, true);
    }

    /**
     * In one round trip: corrects the call's tokens in its provider key's rate limit to the reply's
     * usage ({@link ModelRateLimits#correct}), appends {@code before} to the run's stream if not null
     * (the answer's last delta) and, unless that finds the run ended, records the reply unless one
     * was recorded before and, if it is recorded now, appends its {@code model.completed} and settles
     * the task's budget to the reply's usage ({@link TokenBudgets#settleModelCall}).
     */
    Recording record(String tenantId, String runId, int step, String taskId, ModelRateLimits.Permit permit,
                     RunEventLog.Pending before, ModelReply reply) {
        List<String> keys = new ArrayList<>(List.of(key(tenantId, runId, step)));
        keys.addAll(runEvents.appendKeys(tenantId, runId));
        keys.addAll(budgets.settleKeys(tenantId, runId));
        keys.add(permit.tokensKey());
        List<String> args = new ArrayList<>(List.of(EventCodec.mapper().writeValueAsString(new Recorded(taskId, reply)),
                String.valueOf(retention.toSeconds())));
        args.addAll(runEvents.appendArgs(EventIds.modelCompleted(runId, step), reply.completed(step)));
        args.addAll(budgets.settleModelCallArgs(taskId, reply.model(), reply.usage().promptTokens(), reply.usage().completionTokens()));
        args.add(ModelRateLimits.correctArg(permit, reply.usage().total()));
        if (before != null) {
            args.addAll(runEvents.appendArgs(before.eventId(), before.event()));
        }
        List<?> answer = redis.execute(RECORD, keys, args.toArray());
        return switch (((Number) answer.get(0)).intValue()) {
            case 1 -> new Recording(true, TokenBudgets.settled(answer.get(1)), null, false);
            case 0 -> new Recording(false, false, decode((String) answer.get(1)), false);
            default -> Recording.RUN_ENDED;
        };
    }

    static Recorded decode(String json) {
        return EventCodec.mapper().readValue(json, Recorded.class);
    }

    static String key(String tenantId, String runId, int step) {
        return "sb:" + tenantId + ":run:" + runId + ":model:" + step;
    }
}
