package io.switchboard.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A tenant asked for an agent run; emitted by the gateway once the run is accepted.
 *
 * @param agentVersion for an agent the tenant defined, the version of its definition the run was
 *                     accepted with: the planner plans with that version or a later one; absent
 *                     for the platform's agents
 * @param messages earlier turns of the conversation that the client sent itself ({@code role} and
 *                 {@code content}, as the OpenAI-compatible door takes them): a model agent starts
 *                 from them instead of the conversation's memory; absent when there are none
 * @param deadline when the run fails if it has not ended; absent in requests from before it was added
 */
@EventType(name = "agent.requested", version = 1)
public record AgentRequested(
        String runId,
        String conversationId,
        String agent,
        Map<String, Object> input,
        Priority priority,
        Instant requestedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) Integer agentVersion,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Map<String, Object>> messages,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant deadline) implements Prioritized {

    public AgentRequested {
        agentVersion = agentVersion == null || agentVersion == 0 ? null : agentVersion;
        messages = messages == null ? List.of() : List.copyOf(messages);
    }

    /** A request of a platform agent without earlier turns. */
    public AgentRequested(String runId, String conversationId, String agent, Map<String, Object> input, Priority priority,
                          Instant requestedAt) {
        this(runId, conversationId, agent, input, priority, requestedAt, null, List.of(), null);
    }
}
