package io.switchboard.gateway.runs;

import java.util.Map;

/** The body of {@code POST /v1/runs}. */
public record CreateRunRequest(String agent, Map<String, Object> input, String conversationId, String priority) {
}
