package io.switchboard.platform;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RunStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A run's event stream in Redis ({@link RunStream}): services append what happened to a run, the
 * gateway reads it back for {@code GET /v1/runs/{id}} and the SSE stream. An append is done once
 * per event id, so a redelivered event does not show twice.
 */
public class RunEventLog {

    private static final RedisScript<String> APPEND = RedisScript.of(RunStream.APPEND_SCRIPT, String.class);

    private final StringRedisTemplate redis;
    private final Duration retention;

    RunEventLog(StringRedisTemplate redis, Duration retention) {
        this.redis = redis;
        this.retention = retention;
    }

    public void append(String tenantId, String runId, String eventId, RunStream.Event event, Map<String, Object> data) {
        redis.execute(APPEND, List.of(RunStream.key(tenantId, runId), RunStream.idsKey(tenantId, runId)),
                eventId, event.wireName(), EventCodec.mapper().writeValueAsString(data),
                String.valueOf(retention.toSeconds()));
    }

    /** The run's events after {@code afterId} (exclusive), or all of them for null. */
    public List<MapRecord<String, Object, Object>> read(String tenantId, String runId, String afterId) {
        Range<String> range = afterId == null ? Range.unbounded()
                : Range.of(Range.Bound.exclusive(afterId), Range.Bound.unbounded());
        List<MapRecord<String, Object, Object>> records = redis.opsForStream().range(RunStream.key(tenantId, runId), range);
        return records == null ? List.of() : records;
    }

    public boolean exists(String tenantId, String runId) {
        return Boolean.TRUE.equals(redis.hasKey(RunStream.key(tenantId, runId)));
    }

    /** Forgets a run entirely, for a run that was never accepted. */
    public void discard(String tenantId, String runId) {
        redis.delete(List.of(RunStream.key(tenantId, runId), RunStream.idsKey(tenantId, runId)));
    }
}
