package io.switchboard.worker.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.switchboard.events.EventCodec;
import io.switchboard.events.stream.ModelCompleted;
import java.util.List;
import java.util.Map;

/**
 * What a model call gave: the output of a {@code model.chat} task, as the planner reads it.
 *
 * @param content      the answer's text, possibly empty
 * @param toolCalls    the tools the model asked for, under their platform names
 * @param finishReason why the model stopped, lower case: {@code stop}, {@code tool_calls}, {@code length}, …
 * @param model        the model that answered, as the provider names it
 */
record ModelReply(String content, List<ToolCall> toolCalls, String finishReason, String model, Usage usage) {

    ModelReply {
        content = content == null ? "" : content;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /**
     * @param argumentsError only when the model's arguments were not a JSON object; then
     *                       {@code arguments} is empty
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolCall(String id, String tool, Map<String, Object> arguments, String argumentsError) {
    }

    record Usage(long promptTokens, long completionTokens) {

        long total() {
            return promptTokens + completionTokens;
        }
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> toOutput() {
        return EventCodec.mapper().convertValue(this, Map.class);
    }

    ModelCompleted completed(int step) {
        return new ModelCompleted(step, model, finishReason, new ModelCompleted.Usage(usage.promptTokens(), usage.completionTokens()),
                toolCalls.stream().map(call -> new ModelCompleted.ToolCallRequest(call.id(), call.tool(), call.arguments())).toList());
    }
}
