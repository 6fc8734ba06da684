package io.switchboard.worker.tools;

import io.switchboard.events.ToolDescription;
import io.switchboard.platform.ReadThroughCache;
import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.ToolMetadata;
import io.switchboard.worker.tools.mcp.McpServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The tools this worker runs: every {@link Tool} bean in the application, whichever jar it came
 * from, and the tools of the MCP servers it is configured with ({@link McpServers}). Their metadata
 * is what each tool declares ({@link Tool#metadata()}), unless the catalog
 * ({@code switchboard.tools.catalog}) names the tool, and is read through Memcached.
 */
@Component
public class Tools {

    private static final Logger LOG = LoggerFactory.getLogger(Tools.class);

    private final Map<String, Tool> byName;
    private final Map<String, ToolMetadata> catalog;
    private final ReadThroughCache cache;
    private final Duration simulatedLatency;
    private final McpServers mcp;

    Tools(List<Tool> beans, ToolProperties properties, ReadThroughCache cache, McpServers mcp) {
        List<Tool> tools = new ArrayList<>(beans);
        tools.addAll(mcp.discover());
        this.mcp = mcp;
        this.simulatedLatency = properties.simulatedLatency();
        this.byName = tools.stream().map(tool -> simulatedLatency.isPositive() ? new Slowed(tool, simulatedLatency) : tool)
                .collect(Collectors.toUnmodifiableMap(Tool::name, Function.identity(), (one, other) -> {
                    throw new IllegalStateException("two tools are named '" + one.name() + "': " + one + " and " + other);
                }));
        this.catalog = catalog(tools, properties.catalog());
        this.cache = cache;
        LOG.info("running tools: {}", catalog.values().stream().map(tool -> tool.name() + " v" + tool.version()).sorted()
                .collect(Collectors.joining(", ")));
    }

    /** Every tool of this worker, as a model is shown it. */
    public List<ToolDescription> descriptions() {
        return byName.values().stream().map(tool -> {
            ToolMetadata metadata = metadata(tool.name());
            return new ToolDescription(tool.name(), metadata.version(), metadata.description(), tool.parameters());
        }).toList();
    }

    /**
     * A tool by name, for a task of the tenant: a tool of a configured MCP server also when the server
     * did not list it at start-up, and a tool of an MCP server the tenant registered.
     */
    public Optional<Tool> tool(String tenantId, String name) {
        Tool tool = byName.get(name);
        return tool != null ? Optional.of(tool) : mcp.tool(tenantId, name);
    }

    /**
     * The tool's metadata; a tool this worker does not have is tried once with the default timeout (an
     * MCP tool as any MCP tool is), and not cached. A simulated latency is added to the timeout too: it
     * slows the tool, it does not fail it.
     */
    public ToolMetadata metadata(String name) {
        ToolMetadata metadata = cache.get(metadataKey(name), ToolMetadata.class, () -> catalog.get(name));
        ToolMetadata known = metadata != null ? metadata
                : mcp.metadata(name).orElseGet(() -> ToolMetadata.defaultsFor(name));
        return simulatedLatency.isPositive() ? new ToolMetadata(known.name(), known.version(), known.description(),
                known.maxAttempts(), known.timeout().plus(simulatedLatency), known.deterministic(), known.tokens()) : known;
    }

    /** Where a tool's metadata is cached in Memcached. */
    static String metadataKey(String name) {
        return "sb:tool:v4:" + name;
    }

    /** What each tool says of itself, replaced where the catalog names the tool. */
    private static Map<String, ToolMetadata> catalog(List<Tool> tools, Resource overrides) {
        Map<String, ToolMetadata> catalog = new HashMap<>();
        for (Tool tool : tools) {
            ToolMetadata metadata = tool.metadata();
            if (!metadata.name().equals(tool.name())) {
                throw new IllegalStateException("tool '" + tool.name() + "' describes itself as '" + metadata.name() + "'");
            }
            catalog.put(tool.name(), metadata);
        }
        if (overrides != null) {
            catalog.putAll(read(overrides));
        }
        return Map.copyOf(catalog);
    }

    private static Map<String, ToolMetadata> read(Resource resource) {
        YAMLMapper yaml = YAMLMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        try (InputStream in = resource.getInputStream()) {
            return yaml.readValue(in, Document.class).tools().stream()
                    .collect(Collectors.toUnmodifiableMap(ToolMetadata::name, Function.identity()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Document(List<ToolMetadata> tools) {
    }

    /** A tool that answers {@code latency} later than it would: slow tools, for load tests. */
    private record Slowed(Tool tool, Duration latency) implements Tool {

        @Override
        public String name() {
            return tool.name();
        }

        @Override
        public ToolMetadata metadata() {
            return tool.metadata();
        }

        @Override
        public Map<String, Object> parameters() {
            return tool.parameters();
        }

        @Override
        public Map<String, Object> execute(ToolCall call) {
            try {
                Thread.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ToolFailure.transientFailure(name() + " was interrupted", e);
            }
            return tool.execute(call);
        }
    }

    /**
     * @param catalog          optional: YAML ({@code tools: [{name, version, description, maxAttempts, timeout,
     *                         deterministic, tokens}]}) whose entries replace what the named tools declare, to
     *                         tune attempts, timeouts or tokens without a new jar
     * @param cacheTtl         how long the output of a deterministic tool is served from the cache
     * @param simulatedLatency added to every tool call (0 in production): slow tools, for load tests
     */
    @ConfigurationProperties("switchboard.tools")
    record ToolProperties(
            Resource catalog,
            @DefaultValue("10m") Duration cacheTtl,
            @DefaultValue("0ms") Duration simulatedLatency) {
    }
}
