package io.switchboard.gateway.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * A sliding-window log per tenant in Redis: a sorted set of the run creations it admitted, scored
 * by Redis server time, so that every gateway instance counts against the same window and the same
 * clock. Deciding is one script, atomic however many gateways ask at once.
 */
@Component
class SlidingWindowLimiter {

    /**
     * KEYS: the tenant's sorted set. ARGV: limit, window (ms), a unique suffix for the member.
     * Drops the entries that left the window, counts the rest, and adds this request only when it
     * is admitted, so refused requests do not prolong a refusal. Returns admitted (1 or 0), the
     * remaining quota, and the milliseconds until the oldest entry leaves the window.
     */
    private static final RedisScript<List> ACQUIRE = RedisScript.of("""
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            local limit = tonumber(ARGV[1])
            local window = tonumber(ARGV[2]) * 1000
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
            local count = redis.call('ZCARD', KEYS[1])
            local admitted = 0
            if count < limit then
              redis.call('ZADD', KEYS[1], now, time[1] .. string.format('%06d', tonumber(time[2])) .. '-' .. ARGV[3])
              count = count + 1
              admitted = 1
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            local wait = tonumber(ARGV[2])
            if oldest[2] then
              wait = math.ceil((tonumber(oldest[2]) + window - now) / 1000)
            end
            return {admitted, math.max(limit - count, 0), wait}
            """, List.class);

    /**
     * KEYS: the tenant's read counter. ARGV: the window (ms). Counts in fixed windows, the counter
     * expiring with its window: returns the reads in this window, this one included, and its ms left.
     */
    private static final RedisScript<List> COUNT_READ = RedisScript.of("""
            local reads = redis.call('INCR', KEYS[1])
            if reads == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            return {reads, redis.call('PTTL', KEYS[1])}
            """, List.class);

    private final StringRedisTemplate redis;

    SlidingWindowLimiter(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** Admits one run creation of the tenant if its policy allows it now, and counts it if so. */
    Decision acquire(String tenantId, Policy policy) {
        List<?> reply = redis.execute(ACQUIRE, List.of(key(tenantId)), String.valueOf(policy.runs()),
                String.valueOf(policy.window().toMillis()), UUID.randomUUID().toString());
        return new Decision((Long) reply.get(0) == 1, (Long) reply.get(1), Duration.ofMillis((Long) reply.get(2)));
    }

    /** Counts one read of the tenant against {@code limit} reads per {@code window}, admitted or not. */
    Decision countRead(String tenantId, int limit, Duration window) {
        List<?> reply = redis.execute(COUNT_READ, List.of("sb:" + tenantId + ":ratelimit:reads"), String.valueOf(window.toMillis()));
        long reads = (Long) reply.get(0);
        return new Decision(reads <= limit, Math.max(limit - reads, 0), Duration.ofMillis(Math.max((Long) reply.get(1), 0)));
    }

    /** The tenant's sorted set: members {@code <server time in µs>-<uuid>}, scored by that time. */
    static String key(String tenantId) {
        return "sb:" + tenantId + ":ratelimit:runs";
    }

    /**
     * @param untilSlotFrees until the oldest counted creation leaves the window and the quota grows
     *                       again (the whole window when nothing is counted)
     */
    record Decision(boolean admitted, long remaining, Duration untilSlotFrees) {

        /** {@link #untilSlotFrees} rounded up to whole seconds, at least 1: for Retry-After and {@code t}. */
        long secondsUntilSlotFrees() {
            return Math.max(1, (untilSlotFrees.toMillis() + 999) / 1000);
        }

        /** The {@code RateLimit} field value, for example {@code "runs";r=4;t=10}. */
        String header() {
            return header(Policy.NAME);
        }

        String header(String policy) {
            return "\"" + policy + "\";r=" + remaining + ";t=" + secondsUntilSlotFrees();
        }
    }
}
