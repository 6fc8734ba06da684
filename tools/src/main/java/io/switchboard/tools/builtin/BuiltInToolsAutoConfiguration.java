package io.switchboard.tools.builtin;

import io.switchboard.tools.Tool;
import org.springframework.boot.autoconfigure.AutoConfiguration;
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

    @Bean
    MathEvalTool mathEvalTool() {
        return new MathEvalTool();
    }

    @Bean
    HttpFetchTool httpFetchTool(HttpFetchTool.HttpToolProperties properties) {
        return new HttpFetchTool(properties);
    }

    @Bean
    TextSummarizeTool textSummarizeTool() {
        return new TextSummarizeTool();
    }
}
