package com.example.tools;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

/** Registers {@link WordCountTool} in any worker that has this jar on its classpath. */
@AutoConfiguration
public class WordCountToolAutoConfiguration {

    @Bean
    WordCountTool wordCountTool() {
        return new WordCountTool();
    }
}
