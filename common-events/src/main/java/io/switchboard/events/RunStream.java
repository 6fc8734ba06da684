package io.switchboard.events;

/**
 * A run's event stream in Redis: the structure behind {@code GET /v1/runs/{id}} and its SSE
 * stream. The gateway, planner and composer append; the gateway reads. Each entry has two fields,
 * the event's name and its JSON ({@link io.switchboard.events.stream.RunEvents}); its keys are
 * {@link RedisKeys#runEvents}, {@link RedisKeys#runEventIds} and {@link RedisKeys#runEnded}.
 */
public final class RunStream {

    /**
     * Lua: {@code run_append(stream, id set, ended marker, event id, event name, JSON data, TTL
     * seconds, '1' if terminal)}. Appends once per source event id, and nothing after the run
     * ended: a redelivered event does not show twice, and the first terminal event (completed,
     * failed, cancelled) is the last. Returns {@code appended}, {@code duplicate} or {@code ended}.
     * For scripts that append as part of what they do.
     */
    public static final String APPEND_FUNCTION = """
            local function run_append(stream, ids, ended, id, name, data, ttl, terminal)
              if redis.call('SISMEMBER', ids, id) == 1 then
                return 'duplicate'
              end
              if redis.call('EXISTS', ended) == 1 then
                return 'ended'
              end
              redis.call('SADD', ids, id)
              redis.call('XADD', stream, '*', 'event', name, 'data', data)
              redis.call('EXPIRE', stream, ttl)
              redis.call('EXPIRE', ids, ttl)
              if terminal == '1' then
                redis.call('SET', ended, name, 'EX', ttl)
              end
              return 'appended'
            end
            """;

    /**
     * {@link #APPEND_FUNCTION} as a script. KEYS: stream, id set, ended marker. ARGV: event id,
     * event name, JSON data, TTL seconds, 1 if the event is terminal.
     */
    public static final String APPEND_SCRIPT = APPEND_FUNCTION
            + "return run_append(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])\n";

    public static final String EVENT_FIELD = "event";
    public static final String DATA_FIELD = "data";

    private RunStream() {
    }
}
