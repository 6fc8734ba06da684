package io.switchboard.planner.runs;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.RunStream;
import io.switchboard.events.stream.StepPlanned;
import io.switchboard.planner.tasks.FairShare;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.ProcessedEvents;
import io.switchboard.platform.RunEventLog;
import io.switchboard.platform.TaskBacklog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/** What the planner keeps of each run between its steps, in Redis. */
@Component
public class RunState {

    /**
     * KEYS: the run's task counts and context, then its stream, event ids and end mark, then the
     * tenant's waiting tasks of the run's class ({@link TaskBacklog}), then the planner's record of
     * the events it has finished ({@link ProcessedEvents#checkKeys}), then the step's transcript,
     * then the tenant's fair-share buckets. ARGV: step, tasks, retention in seconds, the context's
     * JSON (or empty), the buckets' TTL, then the append's five arguments ({@link
     * RunStream#APPEND_FUNCTION}), the backlog's retention in seconds, the transcript's JSON (or
     * empty) and 1 if the tasks were made from it, the step's task ids and the cause's bits in the
     * filters. Returns what the append did ({@code processed} if the cause was finished before:
     * nothing done), the tenant's tasks in the fair-share window and the check's answer ({@link
     * ProcessedEvents#CHECK_FUNCTION}); or {@code transcript} and the one kept before, if the tasks
     * were made from another: nothing done.
     */
    private static final RedisScript<List> START_STEP = RedisScript.of(RunStream.APPEND_FUNCTION + FairShare.COUNT_FUNCTION
            + TaskBacklog.ADD_FUNCTION + ProcessedEvents.CHECK_FUNCTION + """
            local tasks = tonumber(ARGV[2])
            local check = processed_check(KEYS[7], KEYS[8], KEYS[9], {unpack(ARGV, 14 + tasks)})
            if check == 2 then return {'processed', 0, check} end
            if ARGV[12] ~= '' and not redis.call('SET', KEYS[10], ARGV[12], 'NX', 'EX', ARGV[3]) and ARGV[13] == '1' then
              return {'transcript', redis.call('GET', KEYS[10]), check}
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            if ARGV[4] ~= '' then redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[3]) end
            local appended = run_append(KEYS[3], KEYS[4], KEYS[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10])
            if appended == 'ended' then return {appended, 0, check} end
            if appended == 'appended' then backlog_add(KEYS[6], ARGV[11], {unpack(ARGV, 14, 13 + tasks)}) end
            return {appended, fair_share_count({unpack(KEYS, 11)}, appended == 'appended' and ARGV[2] or 0, ARGV[5]), check}
            """, List.class);

    /** KEYS: the run's context, a step's transcript, the run's task counts per step. */
    private static final RedisScript<List> RESUME = RedisScript.of("""
            return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), redis.call('HGETALL', KEYS[3])}
            """, List.class);

    private final StringRedisTemplate redis;
    private final RunEventLog runEvents;
    private final FairShare fairShare;
    private final ProcessedEvents processed;
    private final Duration retention;

    RunState(StringRedisTemplate redis, RunEventLog runEvents, FairShare fairShare, ProcessedEvents processed,
             PlatformProperties properties) {
        this.redis = redis;
        this.runEvents = runEvents;
        this.fairShare = fairShare;
        this.processed = processed;
        this.retention = properties.runs().stateRetention();
    }

    /**
     * A run between two steps: its context; for a model agent, the transcript of the step that
     * completed; and how many tasks the steps up to that one had, for the run's cap.
     */
    public record Resumed(RunContext context, Optional<Transcript> transcript, int tasksBefore) {
    }

    /**
     * In one round trip: the run's context, if it is kept, with the transcript of step {@code step}
     * if there is one and the task counts of the run's steps.
     */
    public Optional<Resumed> resume(Envelope envelope, int step) {
        List<?> kept = redis.execute(RESUME, List.of(key(envelope), transcriptKey(envelope, step), key(envelope) + ":tasks"));
        if (kept == null || kept.getFirst() == null) {
            return Optional.empty();
        }
        List<?> counts = (List<?>) kept.get(2);
        int tasksBefore = 0;
        for (int i = 0; i < counts.size(); i += 2) {
            if (Integer.parseInt((String) counts.get(i)) <= step) {
                tasksBefore += Integer.parseInt((String) counts.get(i + 1));
            }
        }
        return Optional.of(new Resumed(EventCodec.mapper().readValue((String) kept.getFirst(), RunContext.class),
                Optional.ofNullable((String) kept.get(1)).map(json -> EventCodec.mapper().readValue(json, Transcript.class)),
                tasksBefore));
    }

    /**
     * What starting a step did, and how far its tasks are demoted ({@link FairShare}); none of it if
     * the event that caused the step had been handled to the end before ({@code processed}), or if
     * the step's tasks were made from another transcript than the one kept for it before ({@code
     * keptBefore}, to plan them from again).
     */
    public record Started(boolean processed, RunEventLog.Append append, int demotion, Optional<Transcript> keptBefore) {
    }

    /**
     * A model agent's transcript, kept with the step it was planned from, once: a step planned again
     * (a redelivered completion) finds the transcript of its first planning. {@code madeFrom}: the
     * step's tasks were made from it, so a step planned again is planned from the one kept first.
     */
    public record Keep(Transcript transcript, boolean madeFrom) {
    }

    /**
     * In one round trip: unless the cause was handled to the end before ({@link ProcessedEvents}),
     * keeps the step's transcript ({@code keep}, if not null), records how many tasks a step has
     * (per step, so planning a step again does not count twice), keeps the run's context with its
     * first step (for the steps after it), appends the step's {@code step.planned} to the run's
     * stream and, if that was new, counts its tasks as waiting ({@link TaskBacklog}) and for the
     * tenant's fair share.
     */
    public Started startStep(Envelope envelope, RunContext context, int step, String eventId, StepPlanned planned, Keep keep) {
        List<String> keys = new ArrayList<>(List.of(key(envelope) + ":tasks", key(envelope)));
        keys.addAll(runEvents.appendKeys(envelope.tenantId(), envelope.runId()));
        keys.add(RedisKeys.tasksWaiting(envelope.tenantId(), context.priority()));
        keys.addAll(processed.checkKeys(envelope.id()));
        keys.add(transcriptKey(envelope, step));
        keys.addAll(fairShare.buckets(envelope.tenantId()));
        List<String> args = new ArrayList<>(List.of(String.valueOf(step), String.valueOf(planned.tasks().size()),
                String.valueOf(retention.toSeconds()), step == 1 ? EventCodec.mapper().writeValueAsString(context) : "",
                fairShare.bucketTtl()));
        args.addAll(runEvents.appendArgs(eventId, planned));
        args.add(String.valueOf(TaskBacklog.RETENTION.toSeconds()));
        args.add(keep == null ? "" : EventCodec.mapper().writeValueAsString(keep.transcript()));
        args.add(keep != null && keep.madeFrom() ? "1" : "0");
        planned.tasks().forEach(task -> args.add(task.taskId()));
        args.addAll(processed.offsets(envelope.id()));
        List<?> answer = redis.execute(START_STEP, keys, args.toArray());
        if (processed.counted(((Number) answer.get(2)).longValue())) {
            return new Started(true, null, 0, Optional.empty());
        }
        if ("transcript".equals(answer.getFirst())) {
            return new Started(false, null, 0, Optional.of(EventCodec.mapper().readValue((String) answer.get(1), Transcript.class)));
        }
        return new Started(false, RunEventLog.answer((String) answer.get(0)), fairShare.demotion(((Number) answer.get(1)).longValue()),
                Optional.empty());
    }

    private static String transcriptKey(Envelope envelope, int step) {
        return key(envelope) + ":transcript:" + step;
    }

    private static String key(Envelope envelope) {
        return "sb:" + envelope.tenantId() + ":planner:run:" + envelope.runId();
    }
}
