package io.switchboard.tools.builtin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolFailure;
import io.switchboard.tools.net.OutboundGuard;
import io.switchboard.tools.net.OutboundRefusal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class BuiltInToolsAutoConfigurationTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BuiltInToolsAutoConfiguration.class));

    @Test
    void theBuiltInToolsAreBeansThatDescribeThemselves() {
        context.run(beans -> {
            Map<String, Tool> tools = beans.getBeansOfType(Tool.class);

            assertThat(tools.values()).extracting(Tool::name)
                    .containsExactlyInAnyOrder("math.eval", "http.fetch", "text.summarize");
            assertThat(tools.values()).allSatisfy(tool -> assertThat(tool.metadata().name()).isEqualTo(tool.name()));
            assertThat(beans.getBean(MathEvalTool.class).metadata())
                    .satisfies(math -> assertThat(math.deterministic()).isTrue())
                    .satisfies(math -> assertThat(math.tokens()).isEqualTo(10));
        });
    }

    @Test
    void httpFetchReachesOnlyTheHostsAllowedByProperty() {
        context.withPropertyValues("switchboard.tools.http.allowed-hosts=docs.example").run(beans -> {
            Tool fetch = beans.getBean(HttpFetchTool.class);

            assertThat(beans.getBean(HttpFetchTool.HttpToolProperties.class).allowedHosts()).containsExactly("docs.example");
            assertThat(beans.getBean(HttpFetchTool.HttpToolProperties.class).allowedPorts()).containsExactly("80", "443");
            assertThatThrownBy(() ->
                            fetch.execute(new ToolCall("acme", "c", "run-1", 1, "k", Map.of("url", "http://elsewhere.example/"))))
                    .isInstanceOf(ToolFailure.class)
                    .hasMessageContaining("host 'elsewhere.example' is not allowed");
        });
    }

    @Test
    void thePortsAndTheDnsServerAreSetByPropertyAndTheGuardIsABeanForOtherOutboundCalls() {
        context.withPropertyValues("switchboard.tools.http.allowed-hosts=docs.example",
                "switchboard.tools.http.allowed-ports=8080,9000-9100", "switchboard.tools.http.dns-server=127.0.0.1:5353").run(beans -> {
            HttpFetchTool.HttpToolProperties properties = beans.getBean(HttpFetchTool.HttpToolProperties.class);

            assertThat(properties.allowedPorts()).containsExactly("8080", "9000-9100");
            assertThat(properties.dnsServer()).isEqualTo("127.0.0.1:5353");
            assertThatThrownBy(() -> beans.getBean(OutboundGuard.class).check("http://docs.example/"))
                    .isInstanceOf(OutboundRefusal.class)
                    .hasMessage("port 80 of host 'docs.example' is not allowed (switchboard.tools.http.allowed-ports: 8080,9000-9100)");
        });
    }
}
