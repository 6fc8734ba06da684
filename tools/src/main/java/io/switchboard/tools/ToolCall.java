package io.switchboard.tools;

import java.util.Map;

/**
 * One call of a tool.
 *
 * @param runId          the run the call belongs to
 * @param step           the run's step the call belongs to, from 1
 * @param idempotencyKey one per (run, step, task): tools pass it on so their own side effects de-duplicate
 * @param attempt        which try of the task this is, from 1
 */
public record ToolCall(String tenantId, String conversationId, String runId, int step, String idempotencyKey,
                       Map<String, Object> args, int attempt) {

    /** A call on its first try. */
    public ToolCall(String tenantId, String conversationId, String runId, int step, String idempotencyKey,
                    Map<String, Object> args) {
        this(tenantId, conversationId, runId, step, idempotencyKey, args, 1);
    }

    public String text(String name) {
        Object value = args.get(name);
        return value == null ? null : value.toString();
    }

    public String requiredText(String name) {
        String value = text(name);
        if (value == null || value.isBlank()) {
            throw ToolFailure.permanent("argument '" + name + "' is required");
        }
        return value;
    }
}
