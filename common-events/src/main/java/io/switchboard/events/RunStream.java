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
     * Appends once per source event id, and nothing after the run ended: a redelivered event does
     * not show twice, and the first terminal event (completed, failed, cancelled) is the last.
     * KEYS: stream, id set, ended marker. ARGV: event id, event name, JSON data, TTL seconds,
     * 1 if the event is terminal. Returns {@code appended}, {@code duplicate} or {@code ended}.
     */
    public static final String APPEND_SCRIPT = """
            if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
              return 'duplicate'
            end
            if redis.call('EXISTS', KEYS[3]) == 1 then
              return 'ended'
            end
            redis.call('SADD', KEYS[2], ARGV[1])
            redis.call('XADD', KEYS[1], '*', 'event', ARGV[2], 'data', ARGV[3])
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            redis.call('EXPIRE', KEYS[2], ARGV[4])
            if ARGV[5] == '1' then
              redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[4])
            end
            return 'appended'
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

    /** Holds the name of the run's terminal event once it has one. */
    public static String endedKey(String tenantId, String runId) {
        return "sb:" + tenantId + ":run:" + runId + ":ended";
    }

    /** The events of a run as a client sees them on the SSE stream. */
    public enum Event {
        RUN_ACCEPTED("run.accepted", false),
        STEP_PLANNED("step.planned", false),
        TOOL_SUCCEEDED("tool.succeeded", false),
        TOOL_FAILED("tool.failed", false),
        STEP_COMPLETED("step.completed", false),
        RUN_COMPLETED("run.completed", true),
        RUN_FAILED("run.failed", true),
        RUN_CANCELLED("run.cancelled", true);

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
