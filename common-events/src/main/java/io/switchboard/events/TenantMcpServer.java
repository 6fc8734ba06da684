package io.switchboard.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An MCP server a tenant registered ({@link RedisKeys#tenantMcpServers}): reached over Streamable
 * HTTP at {@code url} with {@code headers} (secret: never shown back), under the same egress rules as
 * {@code http.fetch}. Its tools, as the server listed them when it was registered, are that tenant's
 * {@code mcp:<server>/<tool>}.
 */
public record TenantMcpServer(String url, Map<String, String> headers, Instant updatedAt, List<ToolDescription> tools) {

    public TenantMcpServer {
        headers = headers == null ? Map.of() : headers;
        tools = tools == null ? List.of() : tools;
    }

    /** Where a tenant's registered server is cached in Memcached, read through from Redis. */
    public static String cacheKey(String tenantId, String server) {
        return "sb:" + tenantId + ":mcp-server:v1:" + server;
    }
}
