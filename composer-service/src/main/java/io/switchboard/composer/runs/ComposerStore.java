package io.switchboard.composer.runs;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.ToolOutcome;
import io.switchboard.platform.PlatformProperties;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The composer's Redis: per-step aggregation (a hash of outcomes by task id, so a repeated
 * outcome counts once) and the stored final responses.
 */
@Component
public class ComposerStore {

    private final StringRedisTemplate redis;
    private final Duration retention;

    ComposerStore(StringRedisTemplate redis, PlatformProperties properties) {
        this.redis = redis;
        this.retention = properties.runs().retention();
    }

    /** Records an outcome of a step and returns how many distinct outcomes the step has. */
    public long gather(Envelope envelope, int step, ToolOutcome outcome) {
        String key = stepKey(envelope, step);
        redis.opsForHash().putIfAbsent(key, outcome.taskId(), EventCodec.mapper().writeValueAsString(outcome));
        redis.expire(key, retention);
        return redis.opsForHash().size(key);
    }

    /** The step's outcomes in task order. */
    public List<ToolOutcome> outcomes(Envelope envelope, int step) {
        return redis.opsForHash().values(stepKey(envelope, step)).stream()
                .map(json -> EventCodec.mapper().readValue((String) json, ToolOutcome.class))
                .sorted(Comparator.comparingInt(ToolOutcome::index))
                .toList();
    }

    public void store(Envelope envelope, Object response) {
        redis.opsForValue().set("sb:" + envelope.tenantId() + ":composer:run:" + envelope.runId(),
                EventCodec.mapper().writeValueAsString(response), retention);
    }

    private static String stepKey(Envelope envelope, int step) {
        return "sb:" + envelope.tenantId() + ":composer:run:" + envelope.runId() + ":step:" + step;
    }
}
