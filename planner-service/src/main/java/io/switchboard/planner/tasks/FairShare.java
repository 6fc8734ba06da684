package io.switchboard.planner.tasks;

import io.switchboard.events.Priority;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.stereotype.Component;

/**
 * Fair shares of the work queue between tenants. Every planner counts each tenant's enqueued tasks
 * in one-second buckets in Redis; a tenant that enqueued more than its share in the last window
 * gets its tasks demoted within their priority band (one step per fourfold excess, at most
 * {@link Priority#MAX_DEMOTION}). A flooding tenant's backlog then waits behind the tasks of
 * tenants that send little, while its own tasks still run in order and whenever workers are free.
 * The count is made in the script that starts a step ({@code RunState#startStep}).
 */
@Component
public class FairShare {

    /**
     * Lua: {@code fair_share_count(buckets, tasks, bucket TTL)}: counts {@code tasks} in the current
     * bucket (the first) and returns the window's total.
     */
    public static final String COUNT_FUNCTION = """
            local function fair_share_count(buckets, tasks, ttl)
              redis.call('INCRBY', buckets[1], tasks)
              redis.call('EXPIRE', buckets[1], ttl)
              local total = 0
              for i = 1, #buckets do
                total = total + (tonumber(redis.call('GET', buckets[i])) or 0)
              end
              return total
            end
            """;

    private final FairShareProperties properties;
    private final Clock clock;

    FairShare(FairShareProperties properties) {
        this.properties = properties;
        this.clock = Clock.systemUTC();
    }

    /** The tenant's buckets for {@link #COUNT_FUNCTION}: the current second's, then the window's earlier ones. */
    public List<String> buckets(String tenantId) {
        long second = clock.millis() / 1000;
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < properties.windowSeconds(); i++) {
            keys.add("sb:" + tenantId + ":planner:enqueued:" + (second - i));
        }
        return keys;
    }

    /** How long a bucket is kept, in seconds: the window and one more. */
    public String bucketTtl() {
        return String.valueOf(properties.windowSeconds() + 1);
    }

    /** How far the tasks of a tenant that enqueued {@code recent} tasks in the window are demoted. */
    public int demotion(long recent) {
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
