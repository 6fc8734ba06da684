package io.switchboard.platform;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import tools.jackson.core.type.TypeReference;

/**
 * The claim check for tool calls: when a call's arguments and output together are larger than
 * {@code switchboard.runs.inline-output} (as JSON), they are kept aside in the run's outputs in Redis
 * ({@link RedisKeys#runOutputs}) and the outcome travels with a reference ({@link ToolOutcome#outputRef})
 * instead, so no Kafka record nears the broker's size limit whatever a tool is given or returns.
 * Whoever needs them {@link #claim claims} them back; the run's outputs live as long as its event stream.
 */
public class ToolOutputs {

    static final String REF = "run-outputs/";
    private static final TypeReference<Kept> KEPT = new TypeReference<>() {
    };

    private final StringRedisTemplate redis;
    private final long inlineLimit;
    private final Duration retention;

    ToolOutputs(StringRedisTemplate redis, long inlineLimit, Duration retention) {
        this.redis = redis;
        this.inlineLimit = inlineLimit;
        this.retention = retention;
    }

    /** What is kept aside of a call. */
    private record Kept(Map<String, Object> args, Map<String, Object> output) {
    }

    /** The outcome as events carry it: its arguments and output inline, or kept aside if they are too large. */
    public ToolOutcome checkIn(String tenantId, String runId, ToolOutcome outcome) {
        String json = EventCodec.mapper().writeValueAsString(new Kept(outcome.args(), outcome.output()));
        if (json.length() * 3L <= inlineLimit || json.getBytes(StandardCharsets.UTF_8).length <= inlineLimit) {
            return outcome;
        }
        byte[] key = RedisKeys.runOutputs(tenantId, runId).getBytes(StandardCharsets.UTF_8);
        redis.executePipelined((RedisCallback<Object>) connection -> {
            connection.hashCommands().hSet(key, outcome.taskId().getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
            connection.keyCommands().expire(key, retention.toSeconds());
            return null;
        });
        return outcome.with(Map.of(), null, REF + outcome.taskId());
    }

    /** The outcome with its arguments and output inline again. */
    public ToolOutcome claim(String tenantId, String runId, ToolOutcome outcome) {
        return claimAll(tenantId, runId, List.of(outcome)).getFirst();
    }

    /**
     * The outcomes with their arguments and outputs inline again, in one round trip. What is no
     * longer kept (its run's retention is over) reads as an output {@code {"unavailable": …}}.
     */
    public List<ToolOutcome> claimAll(String tenantId, String runId, List<ToolOutcome> outcomes) {
        List<ToolOutcome> kept = outcomes.stream().filter(outcome -> outcome.outputRef() != null).toList();
        if (kept.isEmpty()) {
            return outcomes;
        }
        List<Object> stored = redis.opsForHash().multiGet(RedisKeys.runOutputs(tenantId, runId),
                kept.stream().map(outcome -> (Object) outcome.taskId()).toList());
        List<ToolOutcome> claimed = new ArrayList<>(outcomes.size());
        int next = 0;
        for (ToolOutcome outcome : outcomes) {
            if (outcome.outputRef() == null) {
                claimed.add(outcome);
                continue;
            }
            Object json = stored.get(next++);
            if (json == null) {
                claimed.add(outcome.with(outcome.args(), Map.of("unavailable",
                        "the call's arguments and output were kept aside (" + outcome.outputRef() + ") and are no longer there"), null));
            } else {
                Kept call = EventCodec.mapper().readValue((String) json, KEPT);
                claimed.add(outcome.with(call.args(), call.output(), null));
            }
        }
        return claimed;
    }
}
