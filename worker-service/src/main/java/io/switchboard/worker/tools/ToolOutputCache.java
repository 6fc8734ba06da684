package io.switchboard.worker.tools;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.tools.ToolMetadata;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The successful outputs of deterministic tools, in Redis under a hash of the tool's name, its
 * version and its arguments as canonical JSON ({@code sb:<tenant>:tool-cache:<sha256>}), kept for
 * {@code switchboard.tools.cache-ttl}. The same call again, in any run of the tenant, is answered
 * without running the tool; tenants never share an entry. Other tools are never cached.
 */
@Component
public class ToolOutputCache {

    private final StringRedisTemplate redis;
    private final Duration ttl;

    ToolOutputCache(StringRedisTemplate redis, Tools.ToolProperties properties) {
        this.redis = redis;
        this.ttl = properties.cacheTtl();
    }

    /** The output this call gave before, if the tool is deterministic and the output still cached. */
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> find(String tenantId, ToolMetadata tool, Map<String, Object> args) {
        if (!tool.deterministic()) {
            return Optional.empty();
        }
        String output = redis.opsForValue().get(key(tenantId, tool, args));
        return Optional.ofNullable(output).map(json -> (Map<String, Object>) EventCodec.mapper().readValue(json, Map.class));
    }

    /** Keeps a successful output of a deterministic tool; does nothing for other tools. */
    public void store(String tenantId, ToolMetadata tool, Map<String, Object> args, Map<String, Object> output) {
        if (tool.deterministic()) {
            redis.opsForValue().set(key(tenantId, tool, args), EventCodec.mapper().writeValueAsString(output), ttl);
        }
    }

    /** Where a call's output is cached, for a deterministic tool; null for any other. */
    public String keyOf(String tenantId, ToolMetadata tool, Map<String, Object> args) {
        return tool.deterministic() ? key(tenantId, tool, args) : null;
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> decode(String json) {
        return EventCodec.mapper().readValue(json, Map.class);
    }

    public static String encode(Map<String, Object> output) {
        return EventCodec.mapper().writeValueAsString(output);
    }

    /** How long an output is kept. */
    public Duration ttl() {
        return ttl;
    }

    /** The Redis key of a call ({@link RedisKeys#toolOutput}). */
    public static String key(String tenantId, ToolMetadata tool, Map<String, Object> args) {
        return RedisKeys.toolOutput(tenantId, tool.name(), tool.version(), args);
    }
}
