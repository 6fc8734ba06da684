package io.switchboard.platform;

import io.switchboard.events.RedisKeys;
import io.switchboard.events.RunStream;
import io.switchboard.events.stream.RunAccepted;
import io.switchboard.events.stream.RunEvent;
import io.switchboard.events.stream.RunEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.RedisCallback;
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
    /**
     * Lua, after {@link RunStream#APPEND_FUNCTION}: {@code run_accept(stream, ids, ended, deadlines,
     * <the append's five arguments>, member, deadline)}, the keys of {@link #acceptKeys} and the
     * arguments of {@link #acceptArgs}. Appends {@code run.accepted} and, if it appended, watches the
     * run's deadline; returns what the append did. For a caller's script that checks more first.
     */
    public static final String ACCEPT_FUNCTION = """
            local function run_accept(stream, ids, ended, deadlines, id, name, data, ttl, terminal, member, deadline)
              local appended = run_append(stream, ids, ended, id, name, data, ttl, terminal)
              if appended == 'appended' then redis.call('ZADD', deadlines, deadline, member) end
              return appended
            end
            """;
    private static final RedisScript<String> APPEND_ACCEPTED = RedisScript.of(RunStream.APPEND_FUNCTION + ACCEPT_FUNCTION + """
            return run_accept(KEYS[1], KEYS[2], KEYS[3], KEYS[4], unpack(ARGV, 1, 7))
            """, String.class);
    /**
     * As {@link #APPEND}, and the run no longer watched for its deadline nor in flight (KEYS: + the
     * deadlines, the tenant's interactive runs in flight; ARGV: + member, then the append arguments
     * of an event to append before the end, if any); when it ends the run, also the name and data of
     * the stream's first entry.
     */
    private static final RedisScript<List> APPEND_END = RedisScript.of(RunStream.APPEND_FUNCTION + """
            if #ARGV > 6 then run_append(KEYS[1], KEYS[2], KEYS[3], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]) end
            local appended = run_append(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
            redis.call('ZREM', KEYS[4], ARGV[6])
            redis.call('ZREM', KEYS[5], ARGV[6])
            if appended ~= 'appended' then return {appended} end
            local first = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
            return {appended, first[2][2], first[2][4]}
            """, List.class);
    /** KEYS: keys to expire; ARGV: seconds from now. */
    private static final RedisScript<Long> EXPIRE = RedisScript.of("""
            for _, key in ipairs(KEYS) do redis.call('EXPIRE', key, ARGV[1]) end
            return #KEYS
            """, Long.class);

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

    /**
     * One entry of a run's stream: its stream id (the SSE id), the event's name and its JSON. A
     * reader skips entries it does not {@link #known know}: a newer writer may add event names.
     */
    public record Entry(String id, String name, String data) {

        public boolean known() {
            return RunEvents.names().contains(name);
        }

        public RunEvent event() {
            return RunEvents.decode(name, data);
        }

        public boolean terminal() {
            return RunEvents.isTerminal(name);
        }
    }

    public Append append(String tenantId, String runId, String eventId, RunEvent event) {
        return answer(redis.execute(APPEND, appendKeys(tenantId, runId), appendArgs(eventId, event).toArray()));
    }

    /** Appends a run's {@code run.accepted} and watches its deadline ({@link #watchDeadline}), in one round trip. */
    public Append appendAccepted(String tenantId, String runId, String eventId, RunAccepted accepted) {
        return answer(redis.execute(APPEND_ACCEPTED, acceptKeys(tenantId, runId), acceptArgs(tenantId, runId, eventId, accepted).toArray()));
    }

    /** The keys {@link #ACCEPT_FUNCTION} takes for a run: those of its append, then the deadlines. */
    public List<String> acceptKeys(String tenantId, String runId) {
        return withDeadlines(appendKeys(tenantId, runId));
    }

    /** The arguments {@link #ACCEPT_FUNCTION} takes for a run's {@code run.accepted}. */
    public List<String> acceptArgs(String tenantId, String runId, String eventId, RunAccepted accepted) {
        return Stream.concat(appendArgs(eventId, accepted).stream(),
                Stream.of(member(tenantId, runId), String.valueOf(accepted.deadline().toEpochMilli()))).toList();
    }

    /** What an end's append did, and the run's {@code run.accepted} if this append ended it. */
    public record Ending(Append append, Optional<RunAccepted> accepted) {
    }

    /** An event to append, under its id. */
    public record Pending(String eventId, RunEvent event) {
    }

    /**
     * Appends a terminal event, after {@code before} if not null (the result of the step that ends
     * the run), stops watching the run's deadline ({@link #unwatch}) and takes it out of its tenant's
     * interactive runs in flight ({@link RedisKeys#interactiveRunsInFlight}); if that ends the run, reads
     * the run's first event in the same round trip, for the run's duration.
     */
    public Ending appendEnd(String tenantId, String runId, Pending before, String eventId, RunEvent terminal) {
        String[] preceding = before == null ? new String[0]
                : appendArgs(before.eventId(), before.event()).toArray(String[]::new);
        List<String> keys = Stream.concat(withDeadlines(appendKeys(tenantId, runId)).stream(),
                Stream.of(RedisKeys.interactiveRunsInFlight(tenantId))).toList();
        List<?> answer = redis.execute(APPEND_END, keys,
                withMember(appendArgs(eventId, terminal), tenantId, runId, preceding));
        Append append = answer((String) answer.getFirst());
        return new Ending(append, answer.size() < 3 ? Optional.empty()
                : Optional.of(new Entry(null, (String) answer.get(1), (String) answer.get(2)).event())
                        .filter(RunAccepted.class::isInstance).map(RunAccepted.class::cast));
    }

    /** The keys {@link RunStream#APPEND_FUNCTION} takes for a run: its stream, event ids and end mark. */
    public List<String> appendKeys(String tenantId, String runId) {
        return List.of(RedisKeys.runEvents(tenantId, runId), RedisKeys.runEventIds(tenantId, runId),
                RedisKeys.runEnded(tenantId, runId));
    }

    /** The arguments {@link RunStream#APPEND_FUNCTION} takes for an event, after its keys. */
    public List<String> appendArgs(String eventId, RunEvent event) {
        return List.of(eventId, event.eventName(), RunEvents.encode(event), String.valueOf(retention.toSeconds()),
                event.terminal() ? "1" : "0");
    }

    /** What {@link RunStream#APPEND_FUNCTION} answered, in a script here or a caller's. */
    public static Append answer(String answer) {
        return switch (answer) {
            case "appended" -> Append.APPENDED;
            case "duplicate" -> Append.DUPLICATE;
            case "ended" -> Append.RUN_ENDED;
            default -> throw new IllegalStateException("unexpected answer from the append script: " + answer);
        };
    }

    /** The name of the run's terminal event, if it has ended. */
    public Optional<String> ended(String tenantId, String runId) {
        return Optional.ofNullable(redis.opsForValue().get(RedisKeys.runEnded(tenantId, runId)));
    }

    /** The run's entries after {@code afterId} (exclusive), or all of them for null. */
    public List<Entry> read(String tenantId, String runId, String afterId) {
        Range<String> range = afterId == null ? Range.unbounded()
                : Range.of(Range.Bound.exclusive(afterId), Range.Bound.unbounded());
        List<MapRecord<String, Object, Object>> records = redis.opsForStream().range(RedisKeys.runEvents(tenantId, runId), range);
        return records == null ? List.of() : records.stream().map(RunEventLog::entry).toList();
    }

    /** The run's first event, {@code run.accepted}; empty if there is no such run. */
    public Optional<RunAccepted> accepted(String tenantId, String runId) {
        List<MapRecord<String, Object, Object>> first = redis.opsForStream()
                .range(RedisKeys.runEvents(tenantId, runId), Range.unbounded(), Limit.limit().count(1));
        return first == null || first.isEmpty() ? Optional.empty()
                : Optional.of(entry(first.getFirst())).map(Entry::event)
                        .filter(RunAccepted.class::isInstance).map(RunAccepted.class::cast);
    }

    public boolean exists(String tenantId, String runId) {
        return Boolean.TRUE.equals(redis.hasKey(RedisKeys.runEvents(tenantId, runId)));
    }

    /**
     * Lets Redis drop ended runs {@code after} from now, in one round trip: their streams, event
     * ids, end marks, token counts and outputs kept aside. For runs the store has kept; reads come from there after that.
     */
    public void expire(List<RunRef> runs, Duration after) {
        if (runs.isEmpty()) {
            return;
        }
        List<String> keys = runs.stream().flatMap(run -> Stream.of(RedisKeys.runEvents(run.tenantId(), run.runId()),
                RedisKeys.runEventIds(run.tenantId(), run.runId()), RedisKeys.runEnded(run.tenantId(), run.runId()),
                RedisKeys.tokensPerRun(run.tenantId(), run.runId()), RedisKeys.modelUsagePerRun(run.tenantId(), run.runId()),
                RedisKeys.runOutputs(run.tenantId(), run.runId()))).toList();
        redis.execute(EXPIRE, keys, String.valueOf(after.toSeconds()));
    }

    /** What Redis holds of a run: its stream, the watch on its deadline, and the mark of its end. */
    public record LiveState(boolean stream, boolean watched, boolean ended) {
    }

    /** For each run, in order, whether Redis has its stream, watches its deadline and marks it ended, in one round trip. */
    public List<LiveState> liveState(List<RunRef> runs) {
        if (runs.isEmpty()) {
            return List.of();
        }
        List<Object> answers = redis.executePipelined((RedisCallback<Object>) connection -> {
            for (RunRef run : runs) {
                connection.keyCommands().exists(RedisKeys.runEvents(run.tenantId(), run.runId()).getBytes(StandardCharsets.UTF_8));
                connection.zSetCommands().zScore(RedisKeys.RUN_DEADLINES.getBytes(StandardCharsets.UTF_8),
                        member(run.tenantId(), run.runId()).getBytes(StandardCharsets.UTF_8));
                connection.keyCommands().exists(RedisKeys.runEnded(run.tenantId(), run.runId()).getBytes(StandardCharsets.UTF_8));
            }
            return null;
        });
        List<LiveState> states = new java.util.ArrayList<>(runs.size());
        for (int i = 0; i < runs.size(); i++) {
            states.add(new LiveState(Boolean.TRUE.equals(answers.get(3 * i)), answers.get(3 * i + 1) != null,
                    Boolean.TRUE.equals(answers.get(3 * i + 2))));
        }
        return states;
    }

    /** Forgets a run entirely, for a run that was never accepted. */
    public void discard(String tenantId, String runId) {
        redis.delete(List.of(RedisKeys.runEvents(tenantId, runId), RedisKeys.runEventIds(tenantId, runId),
                RedisKeys.runEnded(tenantId, runId)));
        redis.opsForZSet().remove(RedisKeys.RUN_DEADLINES, member(tenantId, runId));
        redis.opsForZSet().remove(RedisKeys.interactiveRunsInFlight(tenantId), member(tenantId, runId));
    }

    /** Watches an accepted run: if it has not ended by {@code deadline}, {@link #overdue} returns it. */
    public void watchDeadline(String tenantId, String runId, Instant deadline) {
        redis.opsForZSet().add(RedisKeys.RUN_DEADLINES, member(tenantId, runId), deadline.toEpochMilli());
    }

    /** Watched runs whose deadline is before {@code now}, oldest first. They stay watched until {@link #unwatch}. */
    public List<RunRef> overdue(Instant now, int limit) {
        Set<String> members = redis.opsForZSet().rangeByScore(RedisKeys.RUN_DEADLINES, 0, now.toEpochMilli(), 0, limit);
        return members == null ? List.of() : members.stream().map(RunRef::parse).toList();
    }

    public void unwatch(String tenantId, String runId) {
        redis.opsForZSet().remove(RedisKeys.RUN_DEADLINES, member(tenantId, runId));
    }

    private static List<String> withDeadlines(List<String> keys) {
        return Stream.concat(keys.stream(), Stream.of(RedisKeys.RUN_DEADLINES)).toList();
    }

    private static Object[] withMember(List<String> args, String tenantId, String runId, String... more) {
        return Stream.of(args.stream(), Stream.of(member(tenantId, runId)), Stream.of(more)).flatMap(s -> s).toArray();
    }

    private static Entry entry(MapRecord<String, Object, Object> record) {
        return new Entry(record.getId().getValue(), (String) record.getValue().get(RunStream.EVENT_FIELD),
                (String) record.getValue().get(RunStream.DATA_FIELD));
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
