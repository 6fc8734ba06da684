package io.switchboard.planner.planning;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolDescription;
import io.switchboard.platform.ReadThroughCache;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The tools the workers run, as the shared catalog in Redis describes them
 * ({@link RedisKeys#TOOL_CATALOG}), each served read-through from Memcached. A worker that starts
 * with a changed tool drops its cached description; a tool that is not in the catalog is not
 * cached, so a worker with a new tool is seen at once.
 */
@Component
class ToolCatalog {

    private final StringRedisTemplate redis;
    private final ReadThroughCache cache;

    ToolCatalog(StringRedisTemplate redis, ReadThroughCache cache) {
        this.redis = redis;
        this.cache = cache;
    }

    Optional<ToolDescription> find(String tool) {
        return Optional.ofNullable(cache.get(ToolDescription.cacheKey(tool), ToolDescription.class, () -> {
            Object json = redis.opsForHash().get(RedisKeys.TOOL_CATALOG, tool);
            return json == null ? null : EventCodec.mapper().readValue(json.toString(), ToolDescription.class);
        }));
    }
}
