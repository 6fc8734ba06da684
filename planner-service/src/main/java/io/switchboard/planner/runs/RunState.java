package io.switchboard.planner.runs;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RunStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The planner's Redis: run contexts between steps, events already handled (consumer
 * de-duplication), and appends to the run's event stream.
 */
@Component
public class RunState {

    private static final RedisScript<String> APPEND = RedisScript.of(RunStream.APPEND_SCRIPT, String.class);

    private final StringRedisTemplate redis;
    private final Duration retention;

    RunState(StringRedisTemplate redis, RunStateProperties properties) {
        this.redis = redis;
        this.retention = properties.retention();
    }

    public void remember(Envelope envelope, RunContext context) {
        redis.opsForValue().set(contextKey(envelope), EventCodec.mapper().writeValueAsString(context), retention);
    }

    public Optional<RunContext> context(Envelope envelope) {
        return Optional.ofNullable(redis.opsForValue().get(contextKey(envelope)))
                .map(json -> EventCodec.mapper().readValue(json, RunContext.class));
    }

    /** Whether an event was handled already; {@link #handled} marks it once its effects are durable. */
    public boolean alreadyHandled(Envelope envelope) {
        return Boolean.TRUE.equals(redis.hasKey(seenKey(envelope)));
    }

    public void handled(Envelope envelope) {
        redis.opsForValue().set(seenKey(envelope), "1", retention);
    }

    public void append(Envelope envelope, String eventId, RunStream.Event event, Map<String, Object> data) {
        redis.execute(APPEND, List.of(RunStream.key(envelope.tenantId(), envelope.runId()),
                        RunStream.idsKey(envelope.tenantId(), envelope.runId())),
                eventId, event.wireName(), EventCodec.mapper().writeValueAsString(data),
                String.valueOf(retention.toSeconds()));
    }

    private static String contextKey(Envelope envelope) {
        return "sb:" + envelope.tenantId() + ":planner:run:" + envelope.runId();
    }

    private static String seenKey(Envelope envelope) {
        return "sb:planner:seen:" + envelope.id();
    }

    /** @param retention how long run contexts, handled-event marks and run events are kept */
    @ConfigurationProperties("switchboard.runs")
    record RunStateProperties(@DefaultValue("7d") Duration retention) {
    }
}
