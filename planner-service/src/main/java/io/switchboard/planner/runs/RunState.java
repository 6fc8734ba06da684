package io.switchboard.planner.runs;

import io.switchboard.events.Envelope;
import io.switchboard.events.EventCodec;
import io.switchboard.platform.PlatformProperties;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/** What the planner keeps of each run between its steps, in Redis. */
@Component
public class RunState {

    /** KEYS: the run's task counts. ARGV: step, tasks, retention in seconds. */
    private static final RedisScript<Long> RECORD_STEP = RedisScript.of("""
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return redis.call('EXPIRE', KEYS[1], ARGV[3])
            """, Long.class);

    private final StringRedisTemplate redis;
    private final Duration retention;

    RunState(StringRedisTemplate redis, PlatformProperties properties) {
        this.redis = redis;
        this.retention = properties.runs().stateRetention();
    }

    public void remember(Envelope envelope, RunContext context) {
        redis.opsForValue().set(key(envelope), EventCodec.mapper().writeValueAsString(context), retention);
    }

    public Optional<RunContext> context(Envelope envelope) {
        return Optional.ofNullable(redis.opsForValue().get(key(envelope)))
                .map(json -> EventCodec.mapper().readValue(json, RunContext.class));
    }

    /** Records how many tasks a step has; per step, so planning a step again does not count twice. */
    public void recordStepTasks(Envelope envelope, int step, int tasks) {
        redis.execute(RECORD_STEP, List.of(key(envelope) + ":tasks"), String.valueOf(step), String.valueOf(tasks),
                String.valueOf(retention.toSeconds()));
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
