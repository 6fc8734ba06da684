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

    private static String key(Envelope envelope) {
        return "sb:" + envelope.tenantId() + ":planner:run:" + envelope.runId();
    }
}
