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

    /** KEYS: current filter, previous filter, exact mark. ARGV: bit offsets. 0 new, 1 false positive, 2 done. */
    private static final RedisScript<Long> CHECK = RedisScript.of("""
            local function contains(key)
              for i = 1, #ARGV do
                if redis.call('GETBIT', key, ARGV[i]) == 0 then return false end
              end
              return true
            end
            if not contains(KEYS[1]) and not contains(KEYS[2]) then return 0 end
            if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
            return 1
            """, Long.class);

    /** KEYS: current filter, exact mark. ARGV: retention seconds, bit offsets... */
    private static final RedisScript<Long> MARK = RedisScript.of("""
            for i = 2, #ARGV do redis.call('SETBIT', KEYS[1], ARGV[i], 1) end
            redis.call('EXPIRE', KEYS[1], 2 * tonumber(ARGV[1]))
            redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
            return 1
            """, Long.class);

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
        long generation = generation();
        List<String> keys = List.of(filterKey(generation), filterKey(generation - 1), doneKey(id));
        long answer = redis.execute(CHECK, keys, offsets(id).toArray());
        (answer == 0 ? definitelyNew : answer == 1 ? falsePositive : duplicate).increment();
        return answer == 2;
    }

    public void markDone(String id) {
        List<String> args = new ArrayList<>();
        args.add(String.valueOf(retention.toSeconds()));
        args.addAll(offsets(id));
        redis.execute(MARK, List.of(filterKey(generation()), doneKey(id)), args.toArray());
    }

    private List<String> offsets(String id) {
        return Arrays.stream(filter.offsets(id)).mapToObj(String::valueOf).toList();
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
