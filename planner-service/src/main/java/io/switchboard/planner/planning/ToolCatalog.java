package io.switchboard.planner.planning;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.TenantMcpServer;
import io.switchboard.events.ToolDescription;
import io.switchboard.platform.ReadThroughCache;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The tools the workers run, as the shared catalog in Redis describes them
 * ({@link RedisKeys#TOOL_CATALOG}), and the tools of the MCP servers a tenant registered, each
 * served read-through from Memcached. A worker that starts
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

    /**
     * The tools a list names for a tenant's run: each {@code mcp:<server>/*} is every tool of that
     * server, the platform's in the catalog or one the tenant registered.
     */
    List<String> expand(String tenantId, List<String> tools) {
        if (tools.stream().noneMatch(ToolCatalog::wildcard)) {
            return tools;
        }
        List<String> published = cache.get(ToolDescription.NAMES_CACHE_KEY, Names.class, () -> new Names(
                redis.<String, String>opsForHash().keys(RedisKeys.TOOL_CATALOG).stream().sorted().toList())).names();
        return tools.stream().flatMap(tool -> {
            if (!wildcard(tool)) {
                return Stream.of(tool);
            }
            String prefix = tool.substring(0, tool.length() - 1);
            Stream<String> registered = registered(tenantId, prefix.substring("mcp:".length(), prefix.length() - 1))
                    .map(server -> server.tools().stream().map(ToolDescription::name)).orElseGet(Stream::empty);
            return Stream.concat(published.stream().filter(name -> name.startsWith(prefix)), registered);
        }).distinct().toList();
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

    /** A tool of the catalog, or of an MCP server the tenant registered. */
    Optional<ToolDescription> find(String tenantId, String tool) {
        ToolDescription published = cache.get(ToolDescription.cacheKey(tool), ToolDescription.class, () -> {
            Object json = redis.opsForHash().get(RedisKeys.TOOL_CATALOG, tool);
            return json == null ? null : EventCodec.mapper().readValue(json.toString(), ToolDescription.class);
        });
        if (published != null || !tool.startsWith("mcp:") || tool.indexOf('/') < 0) {
            return Optional.ofNullable(published);
        }
        return registered(tenantId, tool.substring("mcp:".length(), tool.indexOf('/')))
                .flatMap(server -> server.tools().stream().filter(found -> found.name().equals(tool)).findFirst());
    }

    /** An MCP server the tenant registered, read through Memcached. */
    private Optional<TenantMcpServer> registered(String tenantId, String server) {
        if (!server.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
            return Optional.empty();
        }
        return Optional.ofNullable(cache.get(TenantMcpServer.cacheKey(tenantId, server), TenantMcpServer.class, () -> {
            Object json = redis.opsForHash().get(RedisKeys.tenantMcpServers(tenantId), server);
            return json == null ? null : EventCodec.mapper().readValue(json.toString(), TenantMcpServer.class);
        }));
    }
}
