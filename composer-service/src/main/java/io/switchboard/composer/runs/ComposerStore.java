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
 * outcome counts once. Outcomes of a step are shown on the run's stream and gathered in one round
 * trip, as many as came together.
 */
@Component
public class ComposerStore {

    /**
     * KEYS: the run's stream, event ids and end mark ({@link RunStream#APPEND_FUNCTION}), the step's
     * hash. ARGV: retention in seconds, the step's task count, the append's five arguments of the
     * step's completion to append once it has all its outcomes (or an empty first one for none),
     * then for each outcome the append's five arguments (or an empty first one to only check that
     * the run has not ended), its task id and the outcome. Returns {@code ended} (the outcomes after
     * the end not gathered), or {@code gathered} followed, once the step has all its outcomes, by
     * what the completion's append did ({@code none} without one) and the step's outcomes.
     */
    private static final RedisScript<List> GATHER = RedisScript.of(RunStream.APPEND_FUNCTION + """
            for i = 8, #ARGV, 7 do
              local shown = 'appended'
              if ARGV[i] ~= '' then
                shown = run_append(KEYS[1], KEYS[2], KEYS[3], ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4])
              elseif redis.call('EXISTS', KEYS[3]) == 1 then
                shown = 'ended'
              end
              if shown == 'ended' then return {shown} end
              redis.call('HSETNX', KEYS[4], ARGV[i + 5], ARGV[i + 6])
            end
            redis.call('EXPIRE', KEYS[4], ARGV[1])
            if redis.call('HLEN', KEYS[4]) < tonumber(ARGV[2]) then return {'gathered'} end
            local completed = 'none'
            if ARGV[3] ~= '' then completed = run_append(KEYS[1], KEYS[2], KEYS[3], unpack(ARGV, 3, 7)) end
            local outcomes = redis.call('HVALS', KEYS[4])
            table.insert(outcomes, 1, completed)
            table.insert(outcomes, 1, 'gathered')
            return outcomes
            """, List.class);
    private static final List<String> NO_APPEND = List.of("", "", "", "", "");

    private final StringRedisTemplate redis;
    private final RunEventLog runEvents;
    private final Duration retention;

    ComposerStore(StringRedisTemplate redis, RunEventLog runEvents, PlatformProperties properties) {
        this.redis = redis;
        this.runEvents = runEvents;
        this.retention = properties.runs().stateRetention();
    }

    /**
     * What gathering outcomes came to: the run had ended (nothing gathered after its end), or the
     * step's outcomes in task order once it has them all, else none; with them, what appending the
     * step's completion did, if one was given.
     */
    public record Gathered(boolean runEnded, List<ToolOutcome> stepOutcomes, RunEventLog.Append completion) {
    }

    /**
     * An outcome to gather, with the id of the event it came in and what the run's stream shows of
     * it under that id ({@code null}: it is there already).
     */
    public record Outcome(String eventId, ToolOutcome outcome, RunEvent shown) {
    }

    /**
     * Shows each outcome on the run's stream and records it in its step, in their order, unless the
     * run has ended; once the step has all its outcomes, appends {@code completion} (if not null) after them.
     */
    public Gathered gather(String tenantId, String runId, int step, List<Outcome> outcomes, int taskCount,
                           RunEventLog.Pending completion) {
        List<String> keys = new ArrayList<>(runEvents.appendKeys(tenantId, runId));
        keys.add(stepKey(tenantId, runId, step));
        List<String> args = new ArrayList<>(List.of(String.valueOf(retention.toSeconds()), String.valueOf(taskCount)));
        args.addAll(completion == null ? NO_APPEND : runEvents.appendArgs(completion.eventId(), completion.event()));
        for (Outcome outcome : outcomes) {
            args.addAll(outcome.shown() == null ? NO_APPEND : runEvents.appendArgs(outcome.eventId(), outcome.shown()));
            args.addAll(List.of(outcome.outcome().taskId(), EventCodec.mapper().writeValueAsString(outcome.outcome())));
        }
        List<?> answer = redis.execute(GATHER, keys, args.toArray());
        if ("ended".equals(answer.getFirst())) {
            return new Gathered(true, null, null);
        }
        if (answer.size() == 1) {
            return new Gathered(false, null, null);
        }
        String completed = (String) answer.get(1);
        return new Gathered(false, decode(answer.subList(2, answer.size())),
                "none".equals(completed) ? null : RunEventLog.answer(completed));
    }

    /** The step's outcomes in task order. */
    public List<ToolOutcome> outcomes(Envelope envelope, int step) {
        return decode(redis.opsForHash().values(stepKey(envelope.tenantId(), envelope.runId(), step)));
    }

    private static List<ToolOutcome> decode(List<?> outcomes) {
        return outcomes.stream().map(json -> EventCodec.mapper().readValue((String) json, ToolOutcome.class))
                .sorted(Comparator.comparingInt(ToolOutcome::index))
                .toList();
    }

    private static String stepKey(String tenantId, String runId, int step) {
        return "sb:" + tenantId + ":composer:run:" + runId + ":step:" + step;
    }
}
