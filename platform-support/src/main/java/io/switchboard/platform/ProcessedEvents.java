package io.switchboard.platform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Consumer de-duplication: the exact record of which events (or tasks) a consumer has finished.
 * A consumer checks before it acts and marks once its effects are durable, so a redelivery after
 * the mark is skipped and a crash before it only repeats idempotent effects.
 *
 * <p>A Bloom filter on Redis bitmaps answers first. "Definitely new" ends the check; "maybe seen"
 * is only a hint, and the exact mark ({@code sb:<consumer>:done:<id>}, kept for the retention)
 * decides, so a false positive never drops a message. The filter rotates every retention period
 * and a check consults the current and the previous generation.
 */
public class ProcessedEvents {

    /**
     * Lua: {@code processed_check(current filter, previous filter, exact mark, bit offsets)}: 0 new,
     * 1 a false positive of the filter, 2 done. For a caller's script that checks more at once.
     */
    public static final String CHECK_FUNCTION = """
            local function processed_check(current, previous, mark, offsets)
              local function contains(key)
                for i = 1, #offsets do
                  if redis.call('GETBIT', key, offsets[i]) == 0 then return false end
                end
                return true
              end
              if not contains(current) and not contains(previous) then return 0 end
              if redis.call('EXISTS', mark) == 1 then return 2 end
              return 1
            end
            """;

    /** Lua: {@code processed_mark(current filter, exact mark, retention seconds, bit offsets)}. */
    public static final String MARK_FUNCTION = """
            local function processed_mark(current, mark, retention, offsets)
              for i = 1, #offsets do redis.call('SETBIT', current, offsets[i], 1) end
              redis.call('EXPIRE', current, 2 * tonumber(retention))
              redis.call('SET', mark, '1', 'EX', retention)
            end
            """;

    /** KEYS: current filter, previous filter, exact mark. ARGV: bit offsets. */
    private static final RedisScript<Long> CHECK = RedisScript.of(
            CHECK_FUNCTION + "return processed_check(KEYS[1], KEYS[2], KEYS[3], ARGV)\n", Long.class);

    /** KEYS: current filter, exact mark. ARGV: retention seconds, bit offsets... */
    private static final RedisScript<Long> MARK = RedisScript.of(
            MARK_FUNCTION + "processed_mark(KEYS[1], KEYS[2], ARGV[1], {unpack(ARGV, 2)})\nreturn 1\n", Long.class);

    private final StringRedisTemplate redis;
    private final String consumer;
    private final Duration retention;
    private final BloomFilter filter;
    private final Clock clock;
    private final Counter definitelyNew;
    private final Counter falsePositive;
    private final Counter duplicate;

    ProcessedEvents(StringRedisTemplate redis, String consumer, Duration retention, BloomFilter filter, Clock clock,
                    MeterRegistry meters) {
        this.redis = redis;
        this.consumer = consumer;
        this.retention = retention;
        this.filter = filter;
        this.clock = clock;
        this.definitelyNew = meters.counter("switchboard.dedupe.checks", "answer", "new");
        this.falsePositive = meters.counter("switchboard.dedupe.checks", "answer", "bloom_false_positive");
        this.duplicate = meters.counter("switchboard.dedupe.checks", "answer", "duplicate");
    }

    public boolean done(String id) {
        return counted(redis.execute(CHECK, checkKeys(id), offsets(id).toArray()));
    }

    public void markDone(String id) {
        List<String> args = new ArrayList<>();
        args.add(String.valueOf(retention.toSeconds()));
        args.addAll(offsets(id));
        redis.execute(MARK, markKeys(id), args.toArray());
    }

    /** What {@link #CHECK_FUNCTION} reads for an id: the current and previous filters and the exact mark. */
    public List<String> checkKeys(String id) {
        long generation = generation();
        return List.of(filterKey(generation), filterKey(generation - 1), doneKey(id));
    }

    /** What {@link #MARK_FUNCTION} writes for an id: the current filter and the exact mark. */
    public List<String> markKeys(String id) {
        return List.of(filterKey(generation()), doneKey(id));
    }

    /** The id's bits in the filters. */
    public List<String> offsets(String id) {
        return Arrays.stream(filter.offsets(id)).mapToObj(String::valueOf).toList();
    }

    public Duration retention() {
        return retention;
    }

    /** Counts the answer of a check, made here or in a caller's script; whether the id was done. */
    public boolean counted(long answer) {
        (answer == 0 ? definitelyNew : answer == 1 ? falsePositive : duplicate).increment();
        return answer == 2;
    }

    private long generation() {
        return clock.millis() / retention.toMillis();
    }

    private String filterKey(long generation) {
        return "sb:" + consumer + ":seen:" + generation;
    }

    private String doneKey(String id) {
        return "sb:" + consumer + ":done:" + id;
    }
}
