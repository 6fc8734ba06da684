package io.switchboard.platform;

import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Fair shares of the interactive lane ({@link io.switchboard.events.Topics#lane}) between tenants.
 * A tenant with many more interactive runs in flight than the others is over its share: the
 * gateway sends its further interactive runs down the background lane, and the planner moves the
 * steps it plans for the tenant's runs already on the interactive lane there too, so the other
 * tenants' runs do not queue behind its flood in Kafka or in the interactive work queue. A run's
 * later hops keep the lane its tasks took (the worker and the composer carry it). RabbitMQ still
 * gives its tasks interactive priority within the background lane's queue.
 * <p>
 * Runs in flight, not runs sent: a tenant's long or wide runs weigh for as long as they take, and
 * a flood counts for as long as it is being worked off, whichever lane it took. They are a sorted
 * set per tenant in Redis ({@link RedisKeys#interactiveRunsInFlight}), scored by deadline: the
 * gateway's acceptance adds a run ({@link #ADD_FUNCTION}) and answers the tenant's count, a run's
 * end takes it out ({@link RunEventLog#appendEnd}), and a run past its deadline no longer counts.
 * Over its share means: at least {@code minimumRuns} in flight, and more than {@code factor} times
 * as many as any other tenant that sent interactive work through this instance in the last
 * {@code window}. A flood is over its share beside tenants that send a run at a time, however many
 * of them there are; two alike floods are neither over theirs, whatever a third sends. A tenant
 * alone is never over its share. The tenants' counts are read every
 * {@link #JUDGED_EVERY}, and as soon as a tenant not judged before sends, in one round trip.
 */
public class InteractiveShare {

    public static final Duration JUDGED_EVERY = Duration.ofMillis(200);
    private static final Logger LOG = LoggerFactory.getLogger(InteractiveShare.class);
    private static final OutageLog NOT_JUDGED = new OutageLog(LOG, Duration.ofSeconds(10));

    /**
     * Lua: {@code runs_in_flight_add(set, member, deadline, now, ttl)}: the run is in flight until
     * its deadline (both epoch milliseconds); the runs past theirs are dropped. Returns the runs in
     * flight. For the acceptance's script.
     */
    public static final String ADD_FUNCTION = """
            local function runs_in_flight_add(set, member, deadline, now, ttl)
              redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
              redis.call('ZADD', set, deadline, member)
              redis.call('EXPIRE', set, ttl)
              return redis.call('ZCARD', set)
            end
            """;

    private final PlatformProperties.FairShare settings;
    private final StringRedisTemplate redis;
    private final Clock clock;
    /** The tenants that sent interactive work here, and when they last did. */
    private final Map<String, Long> lastSent = new ConcurrentHashMap<>();
    private final AtomicLong judgedAt = new AtomicLong();
    /** As last judged: each tenant's runs in flight, and how many it may have before it is over its share. */
    private volatile Map<String, Long> inFlight = Map.of();
    private volatile Map<String, Double> shares = Map.of();
    /** The share of a tenant that had sent nothing then, if others had. */
    private volatile double newcomersShare = Double.POSITIVE_INFINITY;

    InteractiveShare(PlatformProperties.FairShare settings, StringRedisTemplate redis, Clock clock) {
        this.settings = settings;
        this.redis = redis;
        this.clock = clock;
    }

    /**
     * The lane a run of the tenant takes on its way in, the tenant having {@code inFlight}
     * interactive runs in flight with it (as its acceptance counted them).
     */
    public Priority lane(String tenantId, Priority lane, long inFlight) {
        if (lane != Priority.INTERACTIVE) {
            return lane;
        }
        sent(tenantId);
        return over(tenantId, inFlight) ? Priority.BACKGROUND : Priority.INTERACTIVE;
    }

    /** The lane the next step of a run of the tenant on {@code lane} takes, by the tenant's runs in flight as last judged. */
    public Priority lane(String tenantId, Priority lane) {
        if (lane != Priority.INTERACTIVE) {
            return lane;
        }
        sent(tenantId);
        return over(tenantId, inFlight.getOrDefault(tenantId, 0L)) ? Priority.BACKGROUND : Priority.INTERACTIVE;
    }

    private boolean over(String tenantId, long runs) {
        return runs >= settings.minimumRuns() && runs > shares.getOrDefault(tenantId, newcomersShare);
    }

    /** Counts the tenant among those sending; judges again if the last judgement is old or did not know the tenant. */
    private void sent(String tenantId) {
        long now = clock.millis();
        lastSent.put(tenantId, now);
        long judged = judgedAt.get();
        if ((now - judged >= JUDGED_EVERY.toMillis() || !inFlight.containsKey(tenantId)) && judgedAt.compareAndSet(judged, now)) {
            judge(now);
        }
    }

    /** Each tenant's share: {@code factor} times the most any other has in flight; unbounded for a tenant alone. */
    private void judge(long now) {
        lastSent.values().removeIf(sent -> now - sent > settings.window().toMillis());
        Map<String, Long> counted;
        try {
            counted = count(List.copyOf(lastSent.keySet()), now);
        } catch (DataAccessException e) {
            NOT_JUDGED.warn("interactive shares not judged again: Redis did not answer; the last judgement stands", e);
            return;
        }
        String largest = null;
        long first = 0;
        long second = 0;
        for (Map.Entry<String, Long> tenant : counted.entrySet()) {
            if (largest == null || tenant.getValue() > first) {
                second = first;
                first = tenant.getValue();
                largest = tenant.getKey();
            } else {
                second = Math.max(second, tenant.getValue());
            }
        }
        Map<String, Double> judged = new HashMap<>();
        for (String tenantId : counted.keySet()) {
            judged.put(tenantId, counted.size() == 1 ? Double.POSITIVE_INFINITY
                    : settings.factor() * (tenantId.equals(largest) ? second : first));
        }
        inFlight = counted;
        shares = judged;
        newcomersShare = counted.isEmpty() ? Double.POSITIVE_INFINITY : settings.factor() * first;
    }

    private Map<String, Long> count(List<String> tenants, long now) {
        List<Object> counts = redis.executePipelined((RedisCallback<Object>) connection -> {
            for (String tenantId : tenants) {
                connection.zSetCommands().zCount(RedisKeys.interactiveRunsInFlight(tenantId).getBytes(StandardCharsets.UTF_8),
                        now, Double.POSITIVE_INFINITY);
            }
            return null;
        });
        Map<String, Long> counted = new HashMap<>();
        for (int i = 0; i < tenants.size(); i++) {
            counted.put(tenants.get(i), (Long) counts.get(i));
        }
        return counted;
    }
}
