package io.switchboard.store;

import java.time.Instant;
import java.util.Map;

/**
 * A run as the store keeps it: what a listing, a conversation or a search shows of it, and what
 * a replay drill compares.
 *
 * @param toolCallCount the run's tool and model calls
 * @param usage         the tokens its model calls used
 */
public record StoredRun(
        String runId,
        String conversationId,
        String agent,
        String priority,
        String status,
        Map<String, Object> input,
        Map<String, Object> output,
        String error,
        Instant createdAt,
        Instant completedAt,
        int toolCallCount,
        Usage usage) {

    public record Usage(long promptTokens, long completionTokens) {
    }

    public boolean ended() {
        return completedAt != null;
    }
}
