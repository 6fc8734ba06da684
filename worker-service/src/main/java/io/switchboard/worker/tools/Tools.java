package io.switchboard.worker.tools;

import io.switchboard.events.cache.ReadThroughCache;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The tools this worker runs, with their metadata read through Memcached from {@code tools.yml}. */
@Component
public class Tools {

    private final Map<String, Tool> byName;
    private final Map<String, ToolMetadata> catalog;
    private final ReadThroughCache cache;
    private final Duration simulatedLatency;

    Tools(List<Tool> tools, ToolProperties properties, ReadThroughCache cache) {
        this.simulatedLatency = properties.simulatedLatency();
        this.byName = tools.stream().map(tool -> simulatedLatency.isPositive() ? new Slowed(tool, simulatedLatency) : tool)
                .collect(Collectors.toUnmodifiableMap(Tool::name, Function.identity()));
        this.catalog = read(properties.catalog());
        this.cache = cache;
    }

    public Optional<Tool> tool(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * The tool's metadata; a tool missing from the catalog is tried once, with the default timeout, and
     * not cached. A simulated latency is added to the timeout too: it slows the tool, it does not fail it.
     */
    public ToolMetadata metadata(String name) {
        ToolMetadata metadata = cache.get("sb:tool:v4:" + name, ToolMetadata.class, () -> catalog.get(name));
        ToolMetadata known = metadata != null ? metadata : new ToolMetadata(name, 0, "", 1, Duration.ofSeconds(10), false, 0);
        return simulatedLatency.isPositive() ? new ToolMetadata(known.name(), known.version(), known.description(),
                known.maxAttempts(), known.timeout().plus(simulatedLatency), known.deterministic(), known.tokens()) : known;
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
     * @param catalog          the tool metadata (YAML)
     * @param cacheTtl         how long the output of a deterministic tool is served from the cache
     * @param simulatedLatency added to every tool call (0 in production): slow tools, for load tests
     */
    @ConfigurationProperties("switchboard.tools")
    record ToolProperties(
            @DefaultValue("classpath:switchboard/tools.yml") Resource catalog,
            @DefaultValue("10m") Duration cacheTtl,
            @DefaultValue("0ms") Duration simulatedLatency) {
    }
}
