package io.switchboard.events;

import java.util.Arrays;
import java.util.Optional;

/**
 * A run's event stream in Redis: the structure behind {@code GET /v1/runs/{id}} and its SSE
 * stream. The gateway, planner and composer append; the gateway reads. Keys are namespaced by
 * tenant, so one tenant can never address another's run.
 */
public final class RunStream {

    /**
     * Appends once per source event id: a redelivered event does not show twice. KEYS: stream,
     * id set. ARGV: event id, event name, JSON data, TTL seconds. Returns the entry id, or false
     * for a duplicate.
     */
    public static final String APPEND_SCRIPT = """
            if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
              return false
            end
            local id = redis.call('XADD', KEYS[1], '*', 'event', ARGV[2], 'data', ARGV[3])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            redis.call('EXPIRE', KEYS[2], ARGV[4])
            return id
            """;

    public static final String EVENT_FIELD = "event";
    public static final String DATA_FIELD = "data";

    private RunStream() {
    }

    public static String key(String tenantId, String runId) {
        return "sb:" + tenantId + ":run:" + runId + ":events";
    }

    public static String idsKey(String tenantId, String runId) {
        return "sb:" + tenantId + ":run:" + runId + ":event-ids";
    }

    /** The events of a run as a client sees them on the SSE stream. */
    public enum Event {
        RUN_ACCEPTED("run.accepted", false),
        STEP_PLANNED("step.planned", false),
        TOOL_SUCCEEDED("tool.succeeded", false),
        TOOL_FAILED("tool.failed", false),
        STEP_COMPLETED("step.completed", false),
        RUN_COMPLETED("run.completed", true),
        RUN_FAILED("run.failed", true);

        private final String wireName;
        private final boolean terminal;

        Event(String wireName, boolean terminal) {
            this.wireName = wireName;
            this.terminal = terminal;
        }

        public String wireName() {
            return wireName;
        }

        public boolean terminal() {
            return terminal;
        }

        public static Optional<Event> of(String wireName) {
            return Arrays.stream(values()).filter(e -> e.wireName.equals(wireName)).findFirst();
        }
    }
}
