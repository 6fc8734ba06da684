package io.switchboard.composer.runs;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RunStream;
import io.switchboard.events.ToolOutcome;
import io.switchboard.events.stream.RunEvent;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.RunEventLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The composer's Redis: per-step aggregation, a hash of outcomes by task id, so a repeated
 * outcome counts once. An outcome is shown on the run's stream and gathered in one round trip.
 */
@Component
public class ComposerStore {

    /**
     * KEYS: the run's stream, event ids and end mark ({@link RunStream#APPEND_FUNCTION}), the step's
     * hash. ARGV: the append's five arguments, or an empty first one to only check that the run has
     * not ended; task id, outcome, retention in seconds, the step's task count. Returns the append's
     * answer, followed by the step's outcomes once it has them all.
     */
    private static final RedisScript<List> GATHER = RedisScript.of(RunStream.APPEND_FUNCTION + """
            local shown = 'appended'
            if ARGV[1] ~= '' then
              shown = run_append(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
            elseif redis.call('EXISTS', KEYS[3]) == 1 then
              shown = 'ended'
            end
            if shown == 'ended' then return {shown} end
            redis.call('HSETNX', KEYS[4], ARGV[6], ARGV[7])
            redis.call('EXPIRE', KEYS[4], ARGV[8])
            if redis.call('HLEN', KEYS[4]) < tonumber(ARGV[9]) then return {shown} end
            local outcomes = redis.call('HVALS', KEYS[4])
            table.insert(outcomes, 1, shown)
            return outcomes
            """, List.class);
    private static final List<String> NOT_SHOWN = List.of("", "", "", "", "");

    private final StringRedisTemplate redis;
    private final RunEventLog runEvents;
    private final Duration retention;

    ComposerStore(StringRedisTemplate redis, RunEventLog runEvents, PlatformProperties properties) {
        this.redis = redis;
        this.runEvents = runEvents;
        this.retention = properties.runs().stateRetention();
    }

    /**
     * What gathering an outcome came to: the run had ended (nothing gathered), or the step's
     * outcomes in task order once it has them all, else none.
     */
    public record Gathered(boolean runEnded, List<ToolOutcome> stepOutcomes) {
    }

    /**
     * Shows {@code shown} on the run's stream under the cause's id (null: it is there already) and
     * records the outcome of its step, unless the run has ended.
     */
    public Gathered gather(Envelope cause, int step, ToolOutcome outcome, RunEvent shown, int taskCount) {
        List<String> keys = new ArrayList<>(runEvents.appendKeys(cause.tenantId(), cause.runId()));
        keys.add(stepKey(cause, step));
        List<String> args = new ArrayList<>(shown == null ? NOT_SHOWN : runEvents.appendArgs(cause.id(), shown));
        args.addAll(List.of(outcome.taskId(), EventCodec.mapper().writeValueAsString(outcome),
                String.valueOf(retention.toSeconds()), String.valueOf(taskCount)));
        List<?> answer = redis.execute(GATHER, keys, args.toArray());
        if (RunEventLog.answer((String) answer.getFirst()) == RunEventLog.Append.RUN_ENDED) {
            return new Gathered(true, null);
        }
        return new Gathered(false, answer.size() == 1 ? null : decode(answer.subList(1, answer.size())));
    }

    /** The step's outcomes in task order. */
    public List<ToolOutcome> outcomes(Envelope envelope, int step) {
        return decode(redis.opsForHash().values(stepKey(envelope, step)));
    }

    private static List<ToolOutcome> decode(List<?> outcomes) {
        return outcomes.stream().map(json -> EventCodec.mapper().readValue((String) json, ToolOutcome.class))
                .sorted(Comparator.comparingInt(ToolOutcome::index))
                .toList();
    }

    private static String stepKey(Envelope envelope, int step) {
        return "sb:" + envelope.tenantId() + ":composer:run:" + envelope.runId() + ":step:" + step;
    }
}
