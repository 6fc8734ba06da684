package io.switchboard.gateway.runs;

import io.switchboard.events.Priority;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
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
 * proportions. Who is over is judged again every {@link #JUDGED_EVERY}, not on every run.
 */
@Component
class InteractiveShare {

    static final Duration JUDGED_EVERY = Duration.ofMillis(200);

    private final InteractiveShareProperties properties;
    private final Clock clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private volatile Set<String> over = Set.of();
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
        windows.computeIfAbsent(tenantId, id -> new Window(properties.window())).count(now);
        if (now - judgedAt >= JUDGED_EVERY.toMillis()) {
            judge(now);
        }
        return over.contains(tenantId) ? Priority.BACKGROUND : Priority.INTERACTIVE;
    }

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
        Set<String> judged = new HashSet<>();
        if (runs.size() > 1) {
            runs.forEach((tenantId, sent) -> {
                double othersMean = (double) (all - sent) / (runs.size() - 1);
                if (sent >= properties.minimumRuns() && sent > properties.factor() * othersMean) {
                    judged.add(tenantId);
                }
            });
        }
        over = Set.copyOf(judged);
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

        synchronized void count(long nowMillis) {
            long second = nowMillis / 1000;
            int bucket = (int) (second % seconds.length);
            if (seconds[bucket] != second) {
                seconds[bucket] = second;
                runs[bucket] = 0;
            }
            runs[bucket]++;
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
    record InteractiveShareProperties(@DefaultValue("10s") Duration window, @DefaultValue("50") long minimumRuns,
                                      @DefaultValue("2") double factor) {
    }
}
