package io.switchboard.planner.runs;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.events.RunStream;
import io.switchboard.events.stream.StepPlanned;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.RunEventLog;
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
     * KEYS: the run's task counts, then its stream, event ids and end mark. ARGV: step, tasks,
     * retention in seconds, then the append's five arguments ({@link RunStream#APPEND_FUNCTION}).
     */
    private static final RedisScript<String> START_STEP = RedisScript.of(RunStream.APPEND_FUNCTION + """
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('EXPIRE', KEYS[1], ARGV[3])
            return run_append(KEYS[2], KEYS[3], KEYS[4], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8])
            """, String.class);

    private final StringRedisTemplate redis;
    private final RunEventLog runEvents;
    private final Duration retention;

    RunState(StringRedisTemplate redis, RunEventLog runEvents, PlatformProperties properties) {
        this.redis = redis;
        this.runEvents = runEvents;
        this.retention = properties.runs().stateRetention();
    }

    public void remember(Envelope envelope, RunContext context) {
        redis.opsForValue().set(key(envelope), EventCodec.mapper().writeValueAsString(context), retention);
    }

    public Optional<RunContext> context(Envelope envelope) {
        return Optional.ofNullable(redis.opsForValue().get(key(envelope)))
                .map(json -> EventCodec.mapper().readValue(json, RunContext.class));
    }

    /**
     * Records how many tasks a step has (per step, so planning a step again does not count twice)
     * and appends its {@code step.planned} to the run's stream, in one round trip.
     */
    public RunEventLog.Append startStep(Envelope envelope, int step, int tasks, String eventId, StepPlanned planned) {
        List<String> keys = new ArrayList<>(List.of(key(envelope) + ":tasks"));
        keys.addAll(runEvents.appendKeys(envelope.tenantId(), envelope.runId()));
        List<String> args = new ArrayList<>(List.of(String.valueOf(step), String.valueOf(tasks), String.valueOf(retention.toSeconds())));
        args.addAll(runEvents.appendArgs(eventId, planned));
        return RunEventLog.answer(redis.execute(START_STEP, keys, args.toArray()));
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
