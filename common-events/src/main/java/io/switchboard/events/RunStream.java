package io.switchboard.events;

/**
 * A run's event stream in Redis: the structure behind {@code GET /v1/runs/{id}} and its SSE
 * stream. The gateway, planner and composer append; the gateway reads. Each entry has two fields,
 * the event's name and its JSON ({@link io.switchboard.events.stream.RunEvents}); its keys are
 * {@link RedisKeys#runEvents}, {@link RedisKeys#runEventIds} and {@link RedisKeys#runEnded}.
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
}
