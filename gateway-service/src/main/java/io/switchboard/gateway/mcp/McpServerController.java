package io.switchboard.gateway.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.TenantMcpServer;
import io.switchboard.events.ToolDescription;
import io.switchboard.platform.ReadThroughCache;
import io.switchboard.platform.web.Problems;
import io.switchboard.platform.web.Problems.FieldError;
import io.switchboard.platform.web.TenantAuthenticationFilter;
import io.switchboard.tools.net.OutboundGuard;
import io.switchboard.tools.net.OutboundRefusal;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The MCP servers a tenant registers for its own agents ({@code PUT}, {@code GET},
 * {@code DELETE /v1/mcp-servers/{name}}): reached over Streamable HTTP only, where {@code http.fetch}
 * may reach too ({@link OutboundGuard}: allowed hosts and ports, no private address after DNS),
 * never following a redirect. Registering one lists its tools, which become the tenant's {@code mcp:<name>/<tool>}; its
 * headers are kept secret (only their names are shown). Another tenant neither sees nor uses it; the
 * platform's own MCP servers keep their names.
 */
@RestController
class McpServerController {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
    private static final int MAX_HEADERS = 20;
    private static final int MAX_SERVERS = 20;

    private final StringRedisTemplate redis;
    private final ReadThroughCache cache;
    private final OutboundGuard guard;
    private final Duration timeout;

    McpServerController(StringRedisTemplate redis, ReadThroughCache cache, OutboundGuard guard,
                        @Value("${switchboard.mcp.timeout:10s}") Duration timeout) {
        this.redis = redis;
        this.cache = cache;
        this.guard = guard;
        this.timeout = timeout;
    }

    @GetMapping("/v1/mcp-servers")
    Map<String, List<Map<String, Object>>> list(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId) {
        return Map.of("servers", redis.<String, String>opsForHash().entries(RedisKeys.tenantMcpServers(tenantId)).entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> view(entry.getKey(), EventCodec.mapper().readValue(entry.getValue(), TenantMcpServer.class)))
                .toList());
    }

    @GetMapping("/v1/mcp-servers/{name}")
    Map<String, Object> get(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId, @PathVariable String name) {
        return view(name, stored(tenantId, name));
    }

    /** Registers the server, or replaces it: its tools are listed now, and the tenant's agents may name them. */
    @PutMapping("/v1/mcp-servers/{name}")
    ResponseEntity<Map<String, Object>> register(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId,
                                                 @PathVariable String name, @RequestBody Map<String, Object> body) {
        List<FieldError> errors = new ArrayList<>();
        if (!NAME.matcher(name).matches()) {
            errors.add(new FieldError("name", "must be 1-32 of a-z 0-9 _ - and start with a letter or digit"));
        }
        String url = url(body.get("url"), errors);
        Map<String, String> headers = headers(body.get("headers"), errors);
        body.keySet().stream().filter(field -> !field.equals("url") && !field.equals("headers")).sorted()
                .forEach(field -> errors.add(new FieldError(field, "is not a field of an MCP server; the fields are url and headers")));
        if (!errors.isEmpty()) {
            throw Problems.invalid("Invalid MCP server", errors);
        }
        if (redis.opsForHash().keys(RedisKeys.TOOL_CATALOG).stream().anyMatch(tool -> tool.toString().startsWith("mcp:" + name + "/"))) {
            throw Problems.of(HttpStatus.CONFLICT, "Platform MCP server",
                    "'" + name + "' is one of the platform's MCP servers; register yours under another name.");
        }
        boolean replacing = redis.opsForHash().hasKey(RedisKeys.tenantMcpServers(tenantId), name);
        if (!replacing && redis.opsForHash().size(RedisKeys.tenantMcpServers(tenantId)) >= MAX_SERVERS) {
            throw Problems.of(HttpStatus.CONFLICT, "Too many MCP servers",
                    "A tenant may register " + MAX_SERVERS + " MCP servers; delete one first.");
        }
        List<ToolDescription> tools = listTools(name, url, headers);
        TenantMcpServer server = new TenantMcpServer(url, headers, Instant.now(), tools);
        redis.opsForHash().put(RedisKeys.tenantMcpServers(tenantId), name, EventCodec.mapper().writeValueAsString(server));
        cache.evict(TenantMcpServer.cacheKey(tenantId, name));
        return ResponseEntity.status(replacing ? HttpStatus.OK : HttpStatus.CREATED).location(URI.create("/v1/mcp-servers/" + name))
                .body(view(name, server));
    }

    @DeleteMapping("/v1/mcp-servers/{name}")
    ResponseEntity<Void> delete(@RequestAttribute(TenantAuthenticationFilter.TENANT) String tenantId, @PathVariable String name) {
        if (!NAME.matcher(name).matches() || redis.opsForHash().delete(RedisKeys.tenantMcpServers(tenantId), name) == 0) {
            throw notFound(name);
        }
        cache.evict(TenantMcpServer.cacheKey(tenantId, name));
        return ResponseEntity.noContent().build();
    }

    private TenantMcpServer stored(String tenantId, String name) {
        Object json = NAME.matcher(name).matches() ? redis.opsForHash().get(RedisKeys.tenantMcpServers(tenantId), name) : null;
        if (json == null) {
            throw notFound(name);
        }
        return EventCodec.mapper().readValue(json.toString(), TenantMcpServer.class);
    }

    private static ErrorResponseException notFound(String name) {
        return Problems.of(HttpStatus.NOT_FOUND, "Unknown MCP server",
                "There is no MCP server '" + name + "'; GET /v1/mcp-servers lists them.");
    }

    /** What a tenant sees of its server: the URL, the names of its headers (never their values) and its tools. */
    private static Map<String, Object> view(String name, TenantMcpServer server) {
        return Map.of("name", name, "url", server.url(), "headers", server.headers().keySet().stream().sorted().toList(),
                "updatedAt", server.updatedAt(), "tools", server.tools().stream().map(ToolDescription::name).toList());
    }

    private String url(Object value, List<FieldError> errors) {
        if (!(value instanceof String url)) {
            errors.add(new FieldError("url", "is required: the server's Streamable HTTP endpoint, e.g. https://mcp.example.com/mcp"));
            return null;
        }
        try {
            guard.check(url);
        } catch (OutboundRefusal refused) {
            errors.add(new FieldError("url", refused.getMessage()));
        } catch (UnknownHostException e) {
            errors.add(new FieldError("url", "its host does not resolve"));
        }
        return url;
    }

    private static Map<String, String> headers(Object value, List<FieldError> errors) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map) || map.size() > MAX_HEADERS
                || !map.entrySet().stream().allMatch(e -> e.getKey() instanceof String key && key.matches("[A-Za-z0-9-]{1,64}")
                        && e.getValue() instanceof String text && text.length() <= 4096 && text.chars().noneMatch(c -> c < 0x20))) {
            errors.add(new FieldError("headers", "must be at most " + MAX_HEADERS + " header names (A-Z a-z 0-9 -) with text values"));
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, String> headers = (Map<String, String>) map;
        return Map.copyOf(headers);
    }

    /** The server's tools ({@code tools/list}), or 422 saying why it could not be reached. */
    private List<ToolDescription> listTools(String name, String url, Map<String, String> headers) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(url)
                .jsonMapper(new JacksonMcpJsonMapper(JsonMapper.builder().build()))
                .httpRequestCustomizer((request, method, uri, requestBody, context) -> headers.forEach(request::header))
                .build();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(timeout).initializationTimeout(timeout)
                .clientInfo(new McpSchema.Implementation("switchboard-gateway", "1")).build()) {
            client.initialize();
            List<ToolDescription> tools = new ArrayList<>();
            String cursor = null;
            do {
                McpSchema.ListToolsResult page = client.listTools(cursor);
                page.tools().forEach(tool -> tools.add(new ToolDescription("mcp:" + name + "/" + tool.name(), 1,
                        tool.description() == null ? "" : tool.description(), tool.inputSchema())));
                cursor = page.nextCursor();
            } while (cursor != null && tools.size() < 1_000);
            return tools;
        } catch (RuntimeException unreachable) {
            throw Problems.of(HttpStatus.UNPROCESSABLE_CONTENT, "MCP server not reachable",
                    "The server at " + url + " did not list its tools: " + unreachable.getMessage());
        }
    }
}
