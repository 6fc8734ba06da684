package io.switchboard.worker.tools;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.tools.ToolMetadata;
import java.time.Duration;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The successful outputs of deterministic tools, in Redis under a hash of the tool's name, its
 * version and its arguments as canonical JSON ({@code sb:<tenant>:tool-cache:<sha256>}), kept for
 * {@code switchboard.tools.cache-ttl}. The same call again, in any run of the tenant, is answered
 * without running the tool; tenants never share an entry. Other tools are never cached. The
 * entries are read and written by the worker's task scripts, in the round trips a task makes anyway.
 */
@Component
public class ToolOutputCache {

    private final Duration ttl;

    ToolOutputCache(Tools.ToolProperties properties) {
        this.ttl = properties.cacheTtl();
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
