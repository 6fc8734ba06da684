package io.switchboard.worker.models;

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
        this.retention = properties.runs().retention();
    }

    Optional<ModelReply> find(String tenantId, String runId, int step) {
        return Optional.ofNullable(redis.opsForValue().get(key(tenantId, runId, step))).map(ModelReply::fromJson);
    }

    /** Records the reply unless one was recorded before; the one recorded first is the one that counts. */
    ModelReply record(String tenantId, String runId, int step, ModelReply reply) {
        String key = key(tenantId, runId, step);
        if (Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(key, reply.toJson(), retention))) {
            return reply;
        }
        return find(tenantId, runId, step).orElse(reply);
    }

    static String key(String tenantId, String runId, int step) {
        return "sb:" + tenantId + ":run:" + runId + ":model:" + step;
    }
}
