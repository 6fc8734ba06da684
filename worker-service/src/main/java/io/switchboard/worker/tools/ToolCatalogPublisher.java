package io.switchboard.worker.tools;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolDescription;
import io.switchboard.platform.ReadThroughCache;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Shows the planner this worker's tools: at start-up each is written, with the JSON Schema of its
 * arguments, to the shared tool catalog ({@link RedisKeys#TOOL_CATALOG}) that model agents are
 * planned from, and its cached description and metadata are dropped, so a changed tool is planned
 * and run as it is now.
 * Workers with the same tool write the same entry.
 */
@Component
class ToolCatalogPublisher {

    private final Tools tools;
    private final StringRedisTemplate redis;
    private final ReadThroughCache cache;

    ToolCatalogPublisher(Tools tools, StringRedisTemplate redis, ReadThroughCache cache) {
        this.tools = tools;
        this.redis = redis;
        this.cache = cache;
    }

    @EventListener(ApplicationReadyEvent.class)
    void publish() {
        Map<String, String> entries = tools.descriptions().stream()
                .collect(Collectors.toMap(ToolDescription::name, EventCodec.mapper()::writeValueAsString));
        redis.opsForHash().putAll(RedisKeys.TOOL_CATALOG, entries);
        entries.keySet().forEach(tool -> {
            cache.evict(ToolDescription.cacheKey(tool));
            cache.evict(Tools.metadataKey(tool));
        });
        cache.evict(ToolDescription.NAMES_CACHE_KEY);
    }
}
