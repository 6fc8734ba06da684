package io.switchboard.worker.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.events.cache.ReadThroughCache;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

/** The tool catalog with a simulated latency, against the real Memcached. */
class ToolsTest {

    @Test
    void aSimulatedLatencySlowsEveryCallAndLengthensItsTimeoutAsMuch() {
        Duration latency = Duration.ofMillis(300);
        try (ReadThroughCache cache = ReadThroughCache.connect("127.0.0.1:11211", Duration.ofMinutes(1), Duration.ofSeconds(1))) {
            Tools tools = new Tools(List.of(new MathEvalTool()),
                    new Tools.ToolProperties(new ClassPathResource("switchboard/tools.yml"), Duration.ofMinutes(10), latency), cache);

            long started = System.nanoTime();
            Map<String, Object> output = tools.tool("math.eval").orElseThrow()
                    .execute(new ToolCall("acme", "conversation", "key", Map.of("expression", "2*3")));

            assertThat(output).containsEntry("value", 6L);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(latency);
            assertThat(tools.metadata("math.eval").timeout()).isEqualTo(Duration.ofSeconds(2).plus(latency));
        }
    }
}
