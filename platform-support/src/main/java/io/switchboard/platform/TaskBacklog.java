package io.switchboard.platform;

import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolTask;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The tool tasks waiting, per tenant and priority class: sets of task ids in Redis
 * ({@link RedisKeys#tasksWaiting}), so that a task published twice or finished twice counts once.
 * The planner adds a step's tasks in the script that starts the step ({@link #ADD_FUNCTION}),
 * before RabbitMQ has them, so that a worker that finishes one first cannot leave it counted; the
 * worker removes a task when it has finished or was skipped; the operations service counts them
 * for the metrics.
 */
public class TaskBacklog {

    /** A set nobody adds to for this long (its tasks long gone) expires. */
    public static final Duration RETENTION = Duration.ofDays(1);

    /**
     * Lua: {@code backlog_add(set, retention seconds, task ids)}: the tasks wait from now, in the set
     * of their tenant and priority class. For a caller's script that adds them as it plans them.
     */
    public static final String ADD_FUNCTION = """
            local function backlog_add(set, retention, ids)
              if #ids == 0 then return end
              redis.call('SADD', set, unpack(ids))
              redis.call('EXPIRE', set, retention)
            end
            """;

    /** KEYS: one set per task; ARGV: the retention in seconds, then the task ids in the order of KEYS. */
    private static final RedisScript<Long> PUBLISHED = RedisScript.of(ADD_FUNCTION + """
            for i, key in ipairs(KEYS) do backlog_add(key, ARGV[1], {ARGV[i + 1]}) end
            return #KEYS
            """, Long.class);

    private final StringRedisTemplate redis;

    TaskBacklog(StringRedisTemplate redis) {
        this.redis = redis;
    }

    /** Adds tasks to the backlog, in one round trip. */
    public void published(String tenantId, List<ToolTask> tasks) {
        List<String> args = new ArrayList<>(List.of(String.valueOf(RETENTION.toSeconds())));
        tasks.forEach(task -> args.add(task.taskId()));
        redis.execute(PUBLISHED, tasks.stream().map(task -> RedisKeys.tasksWaiting(tenantId, task.priority())).toList(),
                args.toArray());
    }

    public void done(String tenantId, ToolTask task) {
        redis.opsForSet().remove(RedisKeys.tasksWaiting(tenantId, task.priority()), task.taskId());
    }

    /** For each tenant, the tasks waiting in each priority class, in one round trip. */
    public Map<String, Map<Priority, Long>> waiting(Collection<String> tenants) {
        List<Object> counts = redis.executePipelined((RedisCallback<Object>) connection -> {
            for (String tenant : tenants) {
                for (Priority priority : Priority.values()) {
                    connection.setCommands().sCard(RedisKeys.tasksWaiting(tenant, priority).getBytes(StandardCharsets.UTF_8));
                }
            }
            return null;
        });
        Map<String, Map<Priority, Long>> waiting = new LinkedHashMap<>();
        int next = 0;
        for (String tenant : tenants) {
            for (Priority priority : Priority.values()) {
                waiting.computeIfAbsent(tenant, t -> new LinkedHashMap<>()).put(priority, (Long) counts.get(next++));
            }
        }
        return waiting;
    }
}
