package io.switchboard.tools.builtin;

import io.switchboard.tools.Tool;
import io.switchboard.tools.net.OutboundGuard;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The built-in tools as beans, for any application with this jar on its classpath: a worker runs
 * every {@link Tool} bean. A tool from another jar registers itself the same way, with an
 * auto-configuration listed in its {@code META-INF/spring/...AutoConfiguration.imports}.
 */
@AutoConfiguration
@EnableConfigurationProperties(HttpFetchTool.HttpToolProperties.class)
public class BuiltInToolsAutoConfiguration {

    /** What {@code http.fetch}, and any other outbound HTTP of the application, may reach ({@code switchboard.tools.http.*}). */
    @Bean
    @ConditionalOnMissingBean
    OutboundGuard outboundGuard(HttpFetchTool.HttpToolProperties properties) {
        return properties.guard();
    }

    @Bean
    MathEvalTool mathEvalTool() {
        return new MathEvalTool();
    }

    @Bean
    HttpFetchTool httpFetchTool(HttpFetchTool.HttpToolProperties properties, OutboundGuard outboundGuard) {
        return new HttpFetchTool(properties, outboundGuard);
    }

    @Bean
    TextSummarizeTool textSummarizeTool() {
        return new TextSummarizeTool();
    }
}
