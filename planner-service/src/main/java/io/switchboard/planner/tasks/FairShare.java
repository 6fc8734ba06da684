package io.switchboard.planner.tasks;

import io.switchboard.events.Priority;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Fair shares of the work queue between tenants. Every planner counts each tenant's enqueued tasks
 * in one-second buckets in Redis; a tenant that enqueued more than its share in the last window
 * gets its tasks demoted within their priority band (one step per fourfold excess, at most
 * {@link Priority#MAX_DEMOTION}). A flooding tenant's backlog then waits behind the tasks of
 * tenants that send little, while its own tasks still run in order and whenever workers are free.
 */
@Component
class FairShare {

    /** KEYS: the current bucket, then the window's earlier buckets. ARGV: tasks, bucket TTL. Returns the window's total. */
    private static final RedisScript<Long> COUNT = RedisScript.of("""
            redis.call('INCRBY', KEYS[1], ARGV[1])
            redis.call('EXPIRE', KEYS[1], ARGV[2])
            local total = 0
            for i = 1, #KEYS do
              total = total + (tonumber(redis.call('GET', KEYS[i])) or 0)
            end
            return total
            """, Long.class);

    private final StringRedisTemplate redis;
    private final FairShareProperties properties;
    private final Clock clock;

    FairShare(StringRedisTemplate redis, FairShareProperties properties) {
        this.redis = redis;
        this.properties = properties;
        this.clock = Clock.systemUTC();
    }

    /** Counts {@code tasks} for the tenant and returns how far they are demoted. */
    int demotion(String tenantId, int tasks) {
        long second = clock.millis() / 1000;
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < properties.windowSeconds(); i++) {
            keys.add("sb:" + tenantId + ":planner:enqueued:" + (second - i));
        }
        long recent = redis.execute(COUNT, keys, String.valueOf(tasks), String.valueOf(properties.windowSeconds() + 1));
        return demotion(recent, properties.tasksPerWindow());
    }

    static int demotion(long recent, long share) {
        int demotion = 0;
        for (long limit = share; recent > limit && demotion < Priority.MAX_DEMOTION; limit *= 4) {
            demotion++;
        }
        return demotion;
    }

    /**
     * @param tasksPerWindow tasks a tenant may enqueue per window before its tasks sink in priority
     * @param windowSeconds  the window
     */
    @ConfigurationProperties("switchboard.planning.fair-share")
    record FairShareProperties(@DefaultValue("1000") long tasksPerWindow, @DefaultValue("10") int windowSeconds) {
    }
}
