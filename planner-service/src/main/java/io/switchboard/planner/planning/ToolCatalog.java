package io.switchboard.planner.planning;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolDescription;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The tools the workers run, as the shared catalog in Redis describes them
 * ({@link RedisKeys#TOOL_CATALOG}); read again at most once a second, so a worker with a new tool
 * is seen at once and a hot planner costs Redis one read a second.
 */
@Component
class ToolCatalog {

    private static final long FRESH_NANOS = 1_000_000_000L;

    private final StringRedisTemplate redis;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), 0);

    ToolCatalog(StringRedisTemplate redis) {
        this.redis = redis;
    }

    Optional<ToolDescription> find(String tool) {
        Snapshot current = snapshot;
        if (System.nanoTime() - current.readAt() > FRESH_NANOS || !current.tools().containsKey(tool)) {
            current = new Snapshot(redis.<String, String>opsForHash().entries(RedisKeys.TOOL_CATALOG).entrySet().stream()
                    .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                            entry -> EventCodec.mapper().readValue(entry.getValue(), ToolDescription.class))),
                    System.nanoTime());
            snapshot = current;
        }
        return Optional.ofNullable(current.tools().get(tool));
    }

    private record Snapshot(Map<String, ToolDescription> tools, long readAt) {
    }
}
