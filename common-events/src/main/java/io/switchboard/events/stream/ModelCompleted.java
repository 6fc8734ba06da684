package io.switchboard.events.stream;

import java.util.List;
import java.util.Map;

/**
 * {@code model.completed}: a model call of a step ended, with the provider's reported usage and
 * the tool calls the model asked for (none when it answered).
 *
 * @param model        the model that answered, as the provider names it
 * @param finishReason why it stopped, lower case: {@code stop}, {@code tool_calls}, {@code length}, …
 */
public record ModelCompleted(
        int step,
        String model,
        String finishReason,
        Usage usage,
        List<ToolCallRequest> toolCalls) implements RunEvent {

    public static final String NAME = "model.completed";

    public ModelCompleted {
        toolCalls = toolCalls == null ? List.of() : toolCalls;
    }

    @Override
    public String eventName() {
        return NAME;
    }

    public record Usage(long promptTokens, long completionTokens) {
    }

    /** A tool call the model asked for: the platform decides whether it runs. */
    public record ToolCallRequest(String id, String tool, Map<String, Object> arguments) {
    }
}
