package io.switchboard.platform;

import java.time.Duration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Consumer de-duplication: the exact record of which events (or tasks) a consumer has finished.
 * A consumer checks before it acts and marks once its effects are durable, so a redelivery after
 * the mark is skipped and a crash before it only repeats idempotent effects.
 */
public class ProcessedEvents {

    private final StringRedisTemplate redis;
    private final String consumer;
    private final Duration retention;

    ProcessedEvents(StringRedisTemplate redis, String consumer, Duration retention) {
        this.redis = redis;
        this.consumer = consumer;
        this.retention = retention;
    }

    public boolean done(String id) {
        return Boolean.TRUE.equals(redis.hasKey(key(id)));
    }

    public void markDone(String id) {
        redis.opsForValue().set(key(id), "1", retention);
    }

    private String key(String id) {
        return "sb:" + consumer + ":done:" + id;
    }
}
