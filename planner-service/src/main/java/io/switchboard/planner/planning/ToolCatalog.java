package io.switchboard.planner.planning;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolDescription;
import io.switchboard.platform.ReadThroughCache;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The tools the workers run, as the shared catalog in Redis describes them
 * ({@link RedisKeys#TOOL_CATALOG}), each served read-through from Memcached. A worker that starts
 * with a changed tool drops its cached description and the cached list of names; a tool that is
 * not in the catalog is not cached, so a worker with a new tool is seen at once.
 */
@Component
class ToolCatalog {

    private final StringRedisTemplate redis;
    private final ReadThroughCache cache;

    ToolCatalog(StringRedisTemplate redis, ReadThroughCache cache) {
        this.redis = redis;
        this.cache = cache;
    }

    /** The tools a list names: each {@code mcp:<server>/*} is every tool of that server in the catalog. */
    List<String> expand(List<String> tools) {
        if (tools.stream().noneMatch(ToolCatalog::wildcard)) {
            return tools;
        }
        List<String> published = cache.get(ToolDescription.NAMES_CACHE_KEY, Names.class, () -> new Names(
                redis.<String, String>opsForHash().keys(RedisKeys.TOOL_CATALOG).stream().sorted().toList())).names();
        return tools.stream().flatMap(tool -> wildcard(tool)
                ? published.stream().filter(name -> name.startsWith(tool.substring(0, tool.length() - 1)))
                : Stream.of(tool)).distinct().toList();
    }

    /** Whether a list of tools names this one, itself or through {@code mcp:<server>/*}. */
    static boolean allows(List<String> tools, String tool) {
        return tools.contains(tool)
                || tools.stream().anyMatch(name -> wildcard(name) && tool.startsWith(name.substring(0, name.length() - 1)));
    }

    private static boolean wildcard(String tool) {
        return tool.startsWith("mcp:") && tool.endsWith("/*");
    }

    private record Names(List<String> names) {
    }

    Optional<ToolDescription> find(String tool) {
        return Optional.ofNullable(cache.get(ToolDescription.cacheKey(tool), ToolDescription.class, () -> {
            Object json = redis.opsForHash().get(RedisKeys.TOOL_CATALOG, tool);
            return json == null ? null : EventCodec.mapper().readValue(json.toString(), ToolDescription.class);
        }));
    }
}
