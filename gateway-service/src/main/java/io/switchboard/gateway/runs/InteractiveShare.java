package io.switchboard.gateway.runs;

import io.switchboard.events.Priority;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.stereotype.Component;

/**
 * Fair shares of the interactive lane on Kafka ({@link io.switchboard.events.Topics#lane}) between
 * tenants. A tenant that sends much more interactive work than the others is over its share: its
 * further interactive runs take the background lane, and keep it at every hop (the planner and the
 * worker carry a run's lane), so the other tenants' runs do not queue behind its flood in Kafka.
 * RabbitMQ still gives their tasks interactive priority, where the planner's fair share applies.
 * <p>
 * Over its share means: at least {@code minimumRuns} interactive runs in the last {@code window},
 * and more than {@code factor} times the mean of the other tenants that sent any. A tenant alone on
 * the platform is never over its share. Each gateway counts in memory what it accepted: the lane is
 * a scheduling hint, not a limit, and behind a load balancer every gateway sees the same
 * proportions. A tenant's own count is checked on every run, against a share worked out again
 * every {@link #JUDGED_EVERY} from what the others sent.
 */
@Component
class InteractiveShare {

    static final Duration JUDGED_EVERY = Duration.ofMillis(200);

    private final InteractiveShareProperties properties;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    /** As last judged: how many runs in the window each tenant may send before it is over its share. */
    private volatile Map<String, Double> shares = Map.of();
    /** The same for a tenant that had sent nothing then, if others had. */
    private volatile double newcomersShare = Double.POSITIVE_INFINITY;
    private volatile long judgedAt;

    @Autowired
    InteractiveShare(InteractiveShareProperties properties) {
        this(properties, Clock.systemUTC());
    }

    InteractiveShare(InteractiveShareProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    /** Counts a run of the tenant and returns the Kafka lane it takes. */
    Priority lane(String tenantId, Priority priority) {
        if (priority != Priority.INTERACTIVE) {
            return priority;
        }
        long now = clock.millis();
        long sent = windows.computeIfAbsent(tenantId, id -> new Window(properties.window())).count(now);
        if (now - judgedAt >= JUDGED_EVERY.toMillis()) {
            judge(now);
        }
        boolean over = sent >= properties.minimumRuns() && sent > shares.getOrDefault(tenantId, newcomersShare);
        return over ? Priority.BACKGROUND : Priority.INTERACTIVE;
    }

    /** Each tenant's share: {@code factor} times the mean of the others that sent any; unbounded for a tenant alone. */
    private synchronized void judge(long now) {
        if (now - judgedAt < JUDGED_EVERY.toMillis()) {
            return;
        }
        judgedAt = now;
        Map<String, Long> runs = new HashMap<>();
        windows.forEach((tenantId, window) -> {
            long sent = window.total(now);
            if (sent == 0) {
                windows.remove(tenantId, window);
            } else {
                runs.put(tenantId, sent);
            }
        });
        long all = runs.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Double> judged = new HashMap<>();
        runs.forEach((tenantId, sent) -> judged.put(tenantId,
                runs.size() == 1 ? Double.POSITIVE_INFINITY : properties.factor() * (all - sent) / (runs.size() - 1)));
        shares = judged;
        newcomersShare = runs.isEmpty() ? Double.POSITIVE_INFINITY : properties.factor() * all / runs.size();
    }

    /** A tenant's interactive runs in one-second buckets over the window. */
    private static final class Window {

        private final long[] seconds;
        private final long[] runs;

        Window(Duration window) {
            int buckets = (int) Math.max(1, window.toSeconds());
            seconds = new long[buckets];
            runs = new long[buckets];
        }

        /** Counts one run and returns the window's total. */
        synchronized long count(long nowMillis) {
            long second = nowMillis / 1000;
            int bucket = (int) (second % seconds.length);
            if (seconds[bucket] != second) {
                seconds[bucket] = second;
                runs[bucket] = 0;
            }
            runs[bucket]++;
            return total(nowMillis);
        }

        synchronized long total(long nowMillis) {
            long second = nowMillis / 1000;
            long total = 0;
            for (int i = 0; i < seconds.length; i++) {
                if (second - seconds[i] < seconds.length) {
                    total += runs[i];
                }
            }
            return total;
        }
    }

    /**
     * @param window      how far back a tenant's interactive runs count
     * @param minimumRuns runs in the window below which a tenant is never over its share
     * @param factor      how many times the other tenants' mean a tenant may send
     */
    @ConfigurationProperties("switchboard.fair-share")
    record InteractiveShareProperties(@DefaultValue("10s") Duration window, @DefaultValue("20") long minimumRuns,
                                      @DefaultValue("2") double factor) {
    }
}
