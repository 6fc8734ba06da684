package io.switchboard.worker.models;

import io.switchboard.events.EventCodec;
import io.switchboard.platform.PlatformProperties;
import java.time.Duration;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The model's reply to each step, kept as long as runs are, so a model call is never paid for
 * twice: a redelivered or retried task finds the reply and does not call the provider again. The
 * worker's own keys: {@code sb:<tenant>:run:<run>:model:<step>}.
 */
@Component
class RecordedReplies {

    private final StringRedisTemplate redis;
    private final Duration retention;

    RecordedReplies(StringRedisTemplate redis, PlatformProperties properties) {
        this.redis = redis;
        this.retention = properties.runs().stateRetention();
    }

    /** A step's reply and the task that paid for it. */
    record Recorded(String taskId, ModelReply reply) {

        boolean paidBy(String task) {
            return taskId.equals(task);
        }
    }

    Optional<Recorded> find(String tenantId, String runId, int step) {
        return Optional.ofNullable(redis.opsForValue().get(key(tenantId, runId, step)))
                .map(json -> EventCodec.mapper().readValue(json, Recorded.class));
    }

    /** Records the reply unless one was recorded before; the one recorded first is the one that counts. */
    Recorded record(String tenantId, String runId, int step, String taskId, ModelReply reply) {
        Recorded recorded = new Recorded(taskId, reply);
        if (Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(key(tenantId, runId, step),
                EventCodec.mapper().writeValueAsString(recorded), retention))) {
            return recorded;
        }
        return find(tenantId, runId, step).orElse(recorded);
    }

    static String key(String tenantId, String runId, int step) {
        return "sb:" + tenantId + ":run:" + runId + ":model:" + step;
    }
}
