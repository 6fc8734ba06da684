package io.switchboard.planner.runs;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.platform.PlatformProperties;
import java.time.Duration;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/** What the planner keeps of each run between its steps, in Redis. */
@Component
public class RunState {

    private final StringRedisTemplate redis;
    private final Duration retention;

    RunState(StringRedisTemplate redis, PlatformProperties properties) {
        this.redis = redis;
        this.retention = properties.runs().retention();
    }

    public void remember(Envelope envelope, RunContext context) {
        redis.opsForValue().set(key(envelope), EventCodec.mapper().writeValueAsString(context), retention);
    }

    public Optional<RunContext> context(Envelope envelope) {
        return Optional.ofNullable(redis.opsForValue().get(key(envelope)))
                .map(json -> EventCodec.mapper().readValue(json, RunContext.class));
    }

    /** Records how many tasks a step has; per step, so planning a step again does not count twice. */
    public void recordStepTasks(Envelope envelope, int step, int tasks) {
        String key = key(envelope) + ":tasks";
        redis.opsForHash().put(key, String.valueOf(step), String.valueOf(tasks));
        redis.expire(key, retention);
    }

    /** How many tasks the run's steps before {@code step} had. */
    public int tasksBefore(Envelope envelope, int step) {
        return redis.opsForHash().entries(key(envelope) + ":tasks").entrySet().stream()
                .filter(entry -> Integer.parseInt((String) entry.getKey()) < step)
                .mapToInt(entry -> Integer.parseInt((String) entry.getValue()))
                .sum();
    }

    private static String key(Envelope envelope) {
        return "sb:" + envelope.tenantId() + ":planner:run:" + envelope.runId();
    }
}
