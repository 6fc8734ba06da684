package io.switchboard.platform;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RunStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * A run's event stream in Redis ({@link RunStream}): services append what happened to a run, the
 * gateway reads it back for {@code GET /v1/runs/{id}} and the SSE stream. An append is done once
 * per event id, so a redelivered event does not show twice, and nothing is appended after the
 * run's terminal event. Runs in flight are also watched for their deadline.
 */
public class RunEventLog {

    private static final RedisScript<String> APPEND = RedisScript.of(RunStream.APPEND_SCRIPT, String.class);
    /** Platform-wide, not per tenant: the deadline sweeper serves every tenant. Members are {@code tenant/runId}. */
    static final String DEADLINES_KEY = "sb:platform:run-deadlines";

    private final StringRedisTemplate redis;
    private final Duration retention;

    RunEventLog(StringRedisTemplate redis, Duration retention) {
        this.redis = redis;
        this.retention = retention;
    }

    /** What an append did. */
    public enum Append {
        APPENDED,
        /** This event id was appended before: a redelivery. */
        DUPLICATE,
        /** The run had already ended; the event was not appended. */
        RUN_ENDED
    }

    public Append append(String tenantId, String runId, String eventId, RunStream.Event event, Map<String, Object> data) {
        String result = redis.execute(APPEND,
                List.of(RunStream.key(tenantId, runId), RunStream.idsKey(tenantId, runId), RunStream.endedKey(tenantId, runId)),
                eventId, event.wireName(), EventCodec.mapper().writeValueAsString(data),
                String.valueOf(retention.toSeconds()), event.terminal() ? "1" : "0");
        return switch (result) {
            case "appended" -> Append.APPENDED;
            case "duplicate" -> Append.DUPLICATE;
            case "ended" -> Append.RUN_ENDED;
            default -> throw new IllegalStateException("unexpected answer from the append script: " + result);
        };
    }

    /** The wire name of the run's terminal event, if it has ended. */
    public Optional<String> ended(String tenantId, String runId) {
        return Optional.ofNullable(redis.opsForValue().get(RunStream.endedKey(tenantId, runId)));
    }

    /** The run's events after {@code afterId} (exclusive), or all of them for null. */
    public List<MapRecord<String, Object, Object>> read(String tenantId, String runId, String afterId) {
        Range<String> range = afterId == null ? Range.unbounded()
                : Range.of(Range.Bound.exclusive(afterId), Range.Bound.unbounded());
        List<MapRecord<String, Object, Object>> records = redis.opsForStream().range(RunStream.key(tenantId, runId), range);
        return records == null ? List.of() : records;
    }

    /** The data of the run's first event, {@code run.accepted}; empty if there is no such run. */
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> accepted(String tenantId, String runId) {
        List<MapRecord<String, Object, Object>> first = redis.opsForStream()
                .range(RunStream.key(tenantId, runId), Range.unbounded(), Limit.limit().count(1));
        return first == null || first.isEmpty() ? Optional.empty()
                : Optional.of(EventCodec.mapper().readValue((String) first.getFirst().getValue().get(RunStream.DATA_FIELD), Map.class));
    }

    public boolean exists(String tenantId, String runId) {
        return Boolean.TRUE.equals(redis.hasKey(RunStream.key(tenantId, runId)));
    }

    /** Forgets a run entirely, for a run that was never accepted. */
    public void discard(String tenantId, String runId) {
        redis.delete(List.of(RunStream.key(tenantId, runId), RunStream.idsKey(tenantId, runId),
                RunStream.endedKey(tenantId, runId)));
        redis.opsForZSet().remove(DEADLINES_KEY, member(tenantId, runId));
    }

    /** Watches an accepted run: if it has not ended by {@code deadline}, {@link #overdue} returns it. */
    public void watchDeadline(String tenantId, String runId, Instant deadline) {
        redis.opsForZSet().add(DEADLINES_KEY, member(tenantId, runId), deadline.toEpochMilli());
    }

    /** Watched runs whose deadline is before {@code now}, oldest first. They stay watched until {@link #unwatch}. */
    public List<RunRef> overdue(Instant now, int limit) {
        Set<String> members = redis.opsForZSet().rangeByScore(DEADLINES_KEY, 0, now.toEpochMilli(), 0, limit);
        return members == null ? List.of() : members.stream().map(RunRef::parse).toList();
    }

    public void unwatch(String tenantId, String runId) {
        redis.opsForZSet().remove(DEADLINES_KEY, member(tenantId, runId));
    }

    private static String member(String tenantId, String runId) {
        return tenantId + "/" + runId;
    }

    /** A run, as the deadline index names it. */
    public record RunRef(String tenantId, String runId) {

        static RunRef parse(String member) {
            int slash = member.indexOf('/');
            return new RunRef(member.substring(0, slash), member.substring(slash + 1));
        }
    }
}
