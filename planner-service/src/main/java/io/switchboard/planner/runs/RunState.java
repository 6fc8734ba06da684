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
     * the events it has finished ({@link ProcessedEvents#checkKeys}), then the tenant's fair-share
     * buckets. ARGV: step, tasks, retention in seconds, the context's JSON (or empty), the buckets'
     * TTL, then the append's five arguments ({@link RunStream#APPEND_FUNCTION}), the backlog's
     * retention in seconds, the step's task ids and the cause's bits in the filters. Returns what the
     * append did ({@code processed} if the cause was finished before: nothing done), the tenant's
     * tasks in the fair-share window and the check's answer ({@link ProcessedEvents#CHECK_FUNCTION}).
     */
    private static final RedisScript<List> START_STEP = RedisScript.of(RunStream.APPEND_FUNCTION + FairShare.COUNT_FUNCTION
            + TaskBacklog.ADD_FUNCTION + ProcessedEvents.CHECK_FUNCTION + """
            local tasks = tonumber(ARGV[2])
            local check = processed_check(KEYS[7], KEYS[8], KEYS[9], {unpack(ARGV, 12 + tasks)})
            if check == 2 then return {'processed', 0, check} end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            if ARGV[4] ~= '' then redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[3]) end
            local appended = run_append(KEYS[3], KEYS[4], KEYS[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10])
            if appended == 'ended' then return {appended, 0, check} end
            if appended == 'appended' then backlog_add(KEYS[6], ARGV[11], {unpack(ARGV, 12, 11 + tasks)}) end
            return {appended, fair_share_count({unpack(KEYS, 10)}, appended == 'appended' and ARGV[2] or 0, ARGV[5]), check}
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

    public Optional<RunContext> context(Envelope envelope) {
        return Optional.ofNullable(redis.opsForValue().get(key(envelope)))
                .map(json -> EventCodec.mapper().readValue(json, RunContext.class));
    }

    /**
     * What starting a step did, and how far its tasks are demoted ({@link FairShare}); none of it if
     * the event that caused the step had been handled to the end before ({@code processed}).
     */
    public record Started(boolean processed, RunEventLog.Append append, int demotion) {
    }

    /**
     * In one round trip: unless the cause was handled to the end before ({@link ProcessedEvents}),
     * records how many tasks a step has (per step, so planning a step again does not count twice),
     * keeps the run's context with its first step (for the steps after it), appends the step's
     * {@code step.planned} to the run's stream and, if that was new, counts its tasks as waiting
     * ({@link TaskBacklog}) and for the tenant's fair share.
     */
    public Started startStep(Envelope envelope, RunContext context, int step, String eventId, StepPlanned planned) {
        List<String> keys = new ArrayList<>(List.of(key(envelope) + ":tasks", key(envelope)));
        keys.addAll(runEvents.appendKeys(envelope.tenantId(), envelope.runId()));
        keys.add(RedisKeys.tasksWaiting(envelope.tenantId(), context.priority()));
        keys.addAll(processed.checkKeys(envelope.id()));
        keys.addAll(fairShare.buckets(envelope.tenantId()));
        List<String> args = new ArrayList<>(List.of(String.valueOf(step), String.valueOf(planned.tasks().size()),
                String.valueOf(retention.toSeconds()), step == 1 ? EventCodec.mapper().writeValueAsString(context) : "",
                fairShare.bucketTtl()));
        args.addAll(runEvents.appendArgs(eventId, planned));
        args.add(String.valueOf(TaskBacklog.RETENTION.toSeconds()));
        planned.tasks().forEach(task -> args.add(task.taskId()));
        args.addAll(processed.offsets(envelope.id()));
        List<?> answer = redis.execute(START_STEP, keys, args.toArray());
        if (processed.counted(((Number) answer.get(2)).longValue())) {
            return new Started(true, null, 0);
        }
        return new Started(false, RunEventLog.answer((String) answer.get(0)), fairShare.demotion(((Number) answer.get(1)).longValue()));
    }

    /** How many tasks the run's steps before {@code step} had. */
    public int tasksBefore(Envelope envelope, int step) {
        if (step == 1) {
            return 0;
        }
        return redis.opsForHash().entries(key(envelope) + ":tasks").entrySet().stream()
                .filter(entry -> Integer.parseInt((String) entry.getKey()) < step)
                .mapToInt(entry -> Integer.parseInt((String) entry.getValue()))
                .sum();
    }

    /**
     * Keeps what a model agent's step was planned from, once: a step planned again (a redelivered
     * completion) finds the transcript of its first planning and plans the same.
     */
    public Transcript keepTranscript(Envelope envelope, int step, Transcript transcript) {
        String key = key(envelope) + ":transcript:" + step;
        Boolean kept = redis.opsForValue().setIfAbsent(key, EventCodec.mapper().writeValueAsString(transcript), retention);
        return Boolean.TRUE.equals(kept) ? transcript : transcript(envelope, step).orElse(transcript);
    }

    public Optional<Transcript> transcript(Envelope envelope, int step) {
        return Optional.ofNullable(redis.opsForValue().get(key(envelope) + ":transcript:" + step))
                .map(json -> EventCodec.mapper().readValue(json, Transcript.class));
    }

    private static String key(Envelope envelope) {
        return "sb:" + envelope.tenantId() + ":planner:run:" + envelope.runId();
    }
}
