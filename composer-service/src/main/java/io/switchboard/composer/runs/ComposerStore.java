package io.switchboard.composer.runs;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RunStream;
import io.switchboard.events.ToolOutcome;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The composer's Redis: per-step aggregation (a hash of outcomes by task id, so a duplicate
 * outcome counts once), handled events, the stored final responses, and appends to run streams.
 */
@Component
public class ComposerStore {

    private static final RedisScript<String> APPEND = RedisScript.of(RunStream.APPEND_SCRIPT, String.class);

    private final StringRedisTemplate redis;
    private final Duration retention;

    ComposerStore(StringRedisTemplate redis, ComposerStoreProperties properties) {
        this.redis = redis;
        this.retention = properties.retention();
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

    private static String stepKey(Envelope envelope, int step) {
        return "sb:" + envelope.tenantId() + ":composer:run:" + envelope.runId() + ":step:" + step;
    }

    private static String seenKey(Envelope envelope) {
        return "sb:composer:seen:" + envelope.id();
    }

    /** @param retention how long aggregations, stored responses and run events are kept */
    @ConfigurationProperties("switchboard.runs")
    record ComposerStoreProperties(@DefaultValue("7d") Duration retention) {
    }
}
