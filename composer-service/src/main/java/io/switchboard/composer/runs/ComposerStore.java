package io.switchboard.composer.runs;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.ToolOutcome;
import io.switchboard.platform.PlatformProperties;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The composer's Redis: per-step aggregation, a hash of outcomes by task id, so a repeated
 * outcome counts once.
 */
@Component
public class ComposerStore {

    /** KEYS: the step's hash. ARGV: task id, outcome, retention in seconds. Returns the distinct outcomes. */
    private static final RedisScript<Long> GATHER = RedisScript.of("""
            redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            return redis.call('HLEN', KEYS[1])
            """, Long.class);

    private final StringRedisTemplate redis;
    private final Duration retention;

    ComposerStore(StringRedisTemplate redis, PlatformProperties properties) {
        this.redis = redis;
        this.retention = properties.runs().stateRetention();
    }

    /** Records an outcome of a step and returns how many distinct outcomes the step has. */
    public long gather(Envelope envelope, int step, ToolOutcome outcome) {
        return redis.execute(GATHER, List.of(stepKey(envelope, step)), outcome.taskId(),
                EventCodec.mapper().writeValueAsString(outcome), String.valueOf(retention.toSeconds()));
    }

    /** The step's outcomes in task order. */
    public List<ToolOutcome> outcomes(Envelope envelope, int step) {
        return redis.opsForHash().values(stepKey(envelope, step)).stream()
                .map(json -> EventCodec.mapper().readValue((String) json, ToolOutcome.class))
                .sorted(Comparator.comparingInt(ToolOutcome::index))
                .toList();
    }

    private static String stepKey(Envelope envelope, int step) {
        return "sb:" + envelope.tenantId() + ":composer:run:" + envelope.runId() + ":step:" + step;
    }
}
