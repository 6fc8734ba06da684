package io.switchboard.worker.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.platform.ReadThroughCache;
import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolMetadata;
import io.switchboard.tools.net.HostResolver;
import io.switchboard.tools.net.OutboundGuard;
import io.switchboard.worker.tools.mcp.McpServers;
import io.switchboard.tools.builtin.MathEvalTool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.spy.memcached.MemcachedClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;

/** The tool catalog: every tool bean, with the metadata it declares, read through the real Memcached. */
class ToolsTest {

    private static final McpServers NO_MCP = new McpServers(new McpServers.McpProperties(null, Duration.ofSeconds(30)), null, null,
            new OutboundGuard(List.of(), List.of("443"), HostResolver.system()));

    private final MemcachedClient memcached = ReadThroughCache.client("127.0.0.1:11211", Duration.ofSeconds(1));
    private final ReadThroughCache cache = new ReadThroughCache(memcached, Duration.ofMinutes(1), Duration.ofSeconds(1));

    @AfterEach
    void close() {
        memcached.shutdown();
    }

    @Test
    void aSimulatedLatencySlowsEveryCallAndLengthensItsTimeoutAsMuch() {
        Duration latency = Duration.ofMillis(300);
        Tools tools = new Tools(List.of(new MathEvalTool()), new Tools.ToolProperties(null, Duration.ofMinutes(10), latency), cache,
                NO_MCP);

        long started = System.nanoTime();
        Map<String, Object> output = tools.tool("acme", "math.eval").orElseThrow()
                .execute(new ToolCall("acme", "conversation", "run-1", 1, "key", Map.of("expression", "2*3")));

        assertThat(output).containsEntry("value", 6L);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(latency);
        assertThat(tools.metadata("math.eval").timeout()).isEqualTo(Duration.ofSeconds(2).plus(latency));
    }

    @Test
    void aToolBringsItsOwnMetadataAndAToolThatSaysNothingIsTriedOnceAndNeverCached() {
        String described = "test.described-" + UUID.randomUUID();
        String silent = "test.silent-" + UUID.randomUUID();
        ToolMetadata own = new ToolMetadata(described, 3, "Described.", 4, Duration.ofSeconds(7), true, 42);
        Tools tools = new Tools(List.of(tool(described, own), tool(silent, null)), properties(null), cache, NO_MCP);

        assertThat(tools.metadata(described)).isEqualTo(own);
        assertThat(tools.metadata(silent)).isEqualTo(new ToolMetadata(silent, 0, "", 1, Duration.ofSeconds(10), false, 0));
    }

    @Test
    void theCatalogReplacesTheMetadataOfTheToolsItNames() {
        String tuned = "test.tuned-" + UUID.randomUUID();
        String untouched = "test.untouched-" + UUID.randomUUID();
        ToolMetadata own = new ToolMetadata(untouched, 1, "Own.", 2, Duration.ofSeconds(5), false, 20);
        String catalog = """
                tools:
                  - name: %s
                    version: 2
                    description: Tuned.
                    maxAttempts: 5
                    timeout: PT30S
                    tokens: 300
                    deterministic: true
                """.formatted(tuned);
        Tools tools = new Tools(List.of(tool(tuned, new ToolMetadata(tuned, 1, "Own.", 1, Duration.ofSeconds(1), false, 1)),
                tool(untouched, own)), properties(new ByteArrayResource(catalog.getBytes(StandardCharsets.UTF_8))), cache, NO_MCP);

        assertThat(tools.metadata(tuned)).isEqualTo(new ToolMetadata(tuned, 2, "Tuned.", 5, Duration.ofSeconds(30), true, 300));
        assertThat(tools.metadata(untouched)).isEqualTo(own);
    }

    @Test
    void twoToolsWithOneNameDoNotStart() {
        assertThatThrownBy(() -> new Tools(List.of(new MathEvalTool(), new MathEvalTool()), properties(null), cache, NO_MCP))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("two tools are named 'math.eval'");
    }

    private static Tools.ToolProperties properties(Resource catalog) {
        return new Tools.ToolProperties(catalog, Duration.ofMinutes(10), Duration.ZERO);
    }

    /** A tool named {@code name} that answers {@code {}}, declaring {@code metadata} (or nothing, if null). */
    private static Tool tool(String name, ToolMetadata metadata) {
        return new Tool() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, Object> execute(ToolCall call) {
                return Map.of();
            }

            @Override
            public ToolMetadata metadata() {
                return metadata == null ? Tool.super.metadata() : metadata;
            }
        };
    }
}
