package io.switchboard.planner.runs;

import java.util.List;
import java.util.Map;

/**
 * A model agent's conversation as of one step: the messages so far (in the shape the model-call
 * task carries them) and, for a step of tool calls, which call of the model each task answers.
 *
 * @param calls by task index: the model's id for the call and the tool it named
 */
public record Transcript(List<Map<String, Object>> messages, List<Call> calls) {

    public Transcript {
        messages = messages == null ? List.of() : List.copyOf(messages);
        calls = calls == null ? List.of() : List.copyOf(calls);
    }

    public record Call(String toolCallId, String tool) {
    }
}
