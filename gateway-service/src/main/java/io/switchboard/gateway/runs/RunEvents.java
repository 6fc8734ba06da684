package io.switchboard.gateway.runs;

import io.switchboard.events.RunStream;
import io.switchboard.gateway.web.ApiProperties;
import java.util.List;
import java.util.Map;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** The gateway's side of a run's event stream in Redis: it opens the stream and reads it. */
@Component
public class RunEvents {

    private static final RedisScript<String> APPEND = RedisScript.of(RunStream.APPEND_SCRIPT, String.class);

    private final StringRedisTemplate redis;
    private final JsonMapper json;
    private final long retentionSeconds;

    RunEvents(StringRedisTemplate redis, JsonMapper json, ApiProperties properties) {
        this.redis = redis;
        this.json = json;
        this.retentionSeconds = properties.runRetention().toSeconds();
    }

    void append(String tenantId, String runId, String eventId, RunStream.Event event, Map<String, Object> data) {
        redis.execute(APPEND, List.of(RunStream.key(tenantId, runId), RunStream.idsKey(tenantId, runId)),
                eventId, event.wireName(), json.writeValueAsString(data), String.valueOf(retentionSeconds));
    }

    /** Forgets a run that was never accepted. */
    void discard(String tenantId, String runId) {
        redis.delete(List.of(RunStream.key(tenantId, runId), RunStream.idsKey(tenantId, runId)));
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
}
