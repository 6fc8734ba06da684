package com.example.tools;

import io.switchboard.tools.Tool;
import io.switchboard.tools.ToolCall;
import io.switchboard.tools.ToolMetadata;
import java.time.Duration;
import java.util.Map;

/** A tool from outside the platform, as README's "Adding a tool" shows it: {@code text.words} counts words. */
public class WordCountTool implements Tool {

    private static final ToolMetadata METADATA = new ToolMetadata("text.words", 1,
            "Counts the words of a text.", 1, Duration.ofSeconds(2), true, 5);

    @Override
    public String name() {
        return METADATA.name();
    }

    @Override
    public ToolMetadata metadata() {
        return METADATA;
    }

    @Override
    public Map<String, Object> execute(ToolCall call) {
        String text = call.requiredText("text").strip();
        return Map.of("words", text.isEmpty() ? 0 : text.split("\\s+").length);
    }
}
