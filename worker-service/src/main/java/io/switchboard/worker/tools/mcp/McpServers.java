package io.switchboard.worker.tools.mcp;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson3.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.TenantMcpServer;
import io.switchboard.platform.ReadThroughCache;
import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import io.switchboard.tools.net.OutboundGuard;
import io.switchboard.tools.net.OutboundRefusal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Model Context Protocol servers this worker calls tools on, configured in the common
 * {@code mcpServers} JSON format (the one Claude Desktop and Spring AI's MCP client read) from the file
 * {@code switchboard.mcp.servers-file} ({@code SWITCHBOARD_MCP_SERVERS_FILE}): a server with a
 * {@code command} (and {@code args}, {@code env}) runs as a child process over stdio, a server with a
 * {@code url} (and {@code headers}) is reached over Streamable HTTP. Its tools are named
 * {@code mcp:<server>/<tool>}. At start-up each server's tools are listed ({@code tools/list}) so that
 * they are published with their schemas; the tools of a server that does not answer then are
 * published at the next start, and called by name meanwhile. A tenant's own servers (registered through the gateway, kept in
 * Redis and read through Memcached) give that tenant's tasks their tools too, over Streamable HTTP
 * and only on a host {@code http.fetch} may reach. One connection per server, opened on first use
 * and opened again after it failed.
 */
@Component
public class McpServers implements DisposableBean {

    static final String PREFIX = "mcp:";
    private static final Logger LOG = LoggerFactory.getLogger(McpServers.class);

    private final Map<String, Server> servers;
    private final Duration timeout;
    private final Map<String, McpSyncClient> clients = new ConcurrentHashMap<>();
    private final StringRedisTemplate redis;
    private final ReadThroughCache cache;
    private final OutboundGuard guard;

    public McpServers(McpProperties properties, StringRedisTemplate redis, ReadThroughCache cache, OutboundGuard guard) {
        this.servers = read(properties.serversFile());
        this.timeout = properties.timeout();
        this.redis = redis;
        this.cache = cache;
        this.guard = guard;
    }

    /** A server as the {@code mcpServers} file describes it. */
    record Server(String command, List<String> args, Map<String, String> env, String url, Map<String, String> headers) {

        Server {
            args = args == null ? List.of() : args;
            env = env == null ? Map.of() : env;
            headers = headers == null ? Map.of() : headers;
        }
    }

    private record Document(Map<String, Server> mcpServers) {
    }

    /** The tools each server lists now; a server that does not answer is left out, and said so. */
    public List<Tool> discover() {
        List<Tool> tools = new ArrayList<>();
        servers.keySet().forEach(server -> {
            try {
                for (McpSchema.Tool tool : list(server)) {
                    tools.add(new McpTool(this, null, server, tool.name(), tool.description(), tool.inputSchema(), timeout));
                }
            } catch (RuntimeException e) {
                LOG.warn("MCP server '{}' did not list its tools: {}", server, e.toString());
                drop(server);
            }
        });
        return tools;
    }

    /** A tool of a configured server, or of a server the tenant registered, by its name {@code mcp:<server>/<tool>}. */
    public Optional<Tool> tool(String tenantId, String name) {
        if (!name.startsWith(PREFIX) || name.indexOf('/') < 0 || name.endsWith("/")) {
            return Optional.empty();
        }
        String server = name.substring(PREFIX.length(), name.indexOf('/'));
        String tool = name.substring(name.indexOf('/') + 1);
        if (servers.containsKey(server)) {
            return Optional.of(new McpTool(this, null, server, tool, null, null, timeout));
        }
        if (tenantId == null || !server.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
            return Optional.empty();
        }
        TenantMcpServer registered = cache.get(TenantMcpServer.cacheKey(tenantId, server), TenantMcpServer.class, () -> {
            Object json = redis.opsForHash().get(RedisKeys.tenantMcpServers(tenantId), server);
            return json == null ? null : EventCodec.mapper().readValue(json.toString(), TenantMcpServer.class);
        });
        return registered == null ? Optional.empty()
                : Optional.of(new McpTool(this, new Registered(tenantId, registered), server, tool, null, null, timeout));
    }

    /** The metadata of any MCP tool, listed or not; empty for another tool. */
    public Optional<ToolMetadata> metadata(String name) {
        return name.startsWith(PREFIX) ? Optional.of(metadata(name, null, timeout)) : Optional.empty();
    }

    /** An MCP tool is tried 3 times within the timeout each, and never cached: it may have side effects. */
    static ToolMetadata metadata(String name, String description, Duration timeout) {
        return new ToolMetadata(name, 1, description == null ? "" : description, 3, timeout.plusSeconds(5), false, 0);
    }

    /** A server a tenant registered, as its tool calls reach it. */
    record Registered(String tenantId, TenantMcpServer server) {

        String connection(String name) {
            return prefix(name) + server.updatedAt();
        }

        /** What the connections to every registration of the server start with. */
        String prefix(String name) {
            return tenantId + "/" + name + "@";
        }
    }

    McpSchema.CallToolResult call(Registered registered, String server, String tool, Map<String, Object> arguments) {
        String connection = registered == null ? server : registered.connection(server);
        try {
            if (registered != null && !clients.containsKey(connection)) {
                // the tenant may have registered the server again since: its earlier connections are done with
                List.copyOf(clients.keySet()).stream()
                        .filter(key -> key.startsWith(registered.prefix(server)) && !key.equals(connection))
                        .forEach(this::drop);
            }
            return connection(connection, () -> registered == null ? servers.get(server) : reachable(registered.server()))
                    .callTool(new McpSchema.CallToolRequest(tool, arguments));
        } catch (RuntimeException e) {
            if (!(e instanceof McpError) && !(e instanceof ToolFailure)) {
                drop(connection); // the connection may be what failed: the next call opens a new one
            }
            throw e;
        }
    }

    /**
     * A tenant's server as a transport may reach it: by the rules of {@code http.fetch}, checked when a
     * connection opens, after DNS ({@link OutboundGuard}). The MCP transport then connects by the name,
     * which the JVM's address cache answers as it just did.
     */
    private Server reachable(TenantMcpServer registered) {
        try {
            guard.check(registered.url());
        } catch (OutboundRefusal refused) {
            throw ToolFailure.permanent("the MCP server may not be reached: " + refused.getMessage());
        } catch (UnknownHostException e) {
            throw ToolFailure.transientFailure("the MCP server's host does not resolve: " + e.getMessage(), e);
        }
        return new Server(null, null, null, registered.url(), registered.headers());
    }

    private List<McpSchema.Tool> list(String server) {
        List<McpSchema.Tool> tools = new ArrayList<>();
        String cursor = null;
        do {
            McpSchema.ListToolsResult page = client(server).listTools(cursor);
            tools.addAll(page.tools());
            cursor = page.nextCursor();
        } while (cursor != null);
        return tools;
    }

    private McpSyncClient client(String server) {
        return connection(server, () -> servers.get(server));
    }

    /** The open connection under {@code key}, or a new one, opened outside the map's lock: a server may take seconds to start. */
    private McpSyncClient connection(String key, Supplier<Server> server) {
        McpSyncClient client = clients.get(key);
        if (client != null) {
            return client;
        }
        McpSyncClient opened = connect(server.get());
        McpSyncClient raced = clients.putIfAbsent(key, opened);
        if (raced != null) {
            opened.close();
            return raced;
        }
        return opened;
    }

    private McpSyncClient connect(Server server) {
        McpSyncClient client = McpClient.sync(transport(server)).requestTimeout(timeout)
                .initializationTimeout(timeout).clientInfo(new McpSchema.Implementation("switchboard-worker", "1")).build();
        client.initialize();
        return client;
    }

    private void drop(String server) {
        McpSyncClient client = clients.remove(server);
        if (client != null) {
            client.close();
        }
    }

    private static McpClientTransport transport(Server server) {
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(JsonMapper.builder().build());
        if (server.url() != null) {
            return HttpClientStreamableHttpTransport.builder(server.url()).jsonMapper(json)
                    .httpRequestCustomizer((request, method, uri, body, context) -> server.headers().forEach(request::header))
                    .build();
        }
        StdioClientTransport stdio = new StdioClientTransport(ServerParameters.builder(server.command()).args(server.args())
                .env(server.env()).build(), json);
        stdio.setStdErrorHandler(line -> LOG.debug("MCP server: {}", line));
        return stdio;
    }

    private static Map<String, Server> read(String file) {
        if (file == null || file.isBlank()) {
            return Map.of();
        }
        try {
            Document document = EventCodec.mapper().readValue(Files.readString(Path.of(file)), Document.class);
            Map<String, Server> servers = new LinkedHashMap<>(document.mcpServers() == null ? Map.of() : document.mcpServers());
            servers.forEach((name, server) -> {
                if (!name.matches("[A-Za-z0-9_-]{1,64}") || (server.command() == null) == (server.url() == null)) {
                    throw new IllegalStateException("MCP server '" + name + "' in " + file + " needs a name of A-Z a-z 0-9 _ - "
                            + "and either a command or a url");
                }
            });
            LOG.info("MCP servers from {}: {}", file, servers.keySet());
            return Map.copyOf(servers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the MCP servers file " + file, e);
        }
    }

    @Override
    public void destroy() {
        List.copyOf(clients.keySet()).forEach(this::drop);
    }

    /**
     * @param serversFile the {@code mcpServers} JSON file; none configures no servers
     * @param timeout     the longest a server may take to start, list its tools or answer a call
     */
    @ConfigurationProperties("switchboard.mcp")
    public record McpProperties(String serversFile, @DefaultValue("30s") Duration timeout) {
    }
}
