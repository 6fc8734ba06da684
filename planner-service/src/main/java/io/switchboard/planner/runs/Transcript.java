package io.switchboard.planner.runs;

import java.util.List;
import java.util.Map;

/**
 * A model agent's conversation as of one step: the messages so far (in the shape the model-call
 * task carries them) and, for a step of tool calls, which call of the model each task answers.
 *
 * @param calls   by task index: the model's id for the call and the tool it named
 * @param ownFrom where this run's own messages start, after the instructions and what the
 *                conversation's earlier runs said
 */
public record Transcript(List<Map<String, Object>> messages, List<Call> calls, int ownFrom) {

    public Transcript {
        messages = messages == null ? List.of() : List.copyOf(messages);
        calls = calls == null ? List.of() : List.copyOf(calls);
    }

    /** This run's own messages: what it adds to its conversation. */
    public List<Map<String, Object>> own() {
        return messages.subList(ownFrom, messages.size());
    }

    public record Call(String toolCallId, String tool) {
    }
}
