package io.switchboard.platform;

import io.switchboard.events.Priority;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolTask;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The tool tasks waiting, per tenant and priority class: sets of task ids in Redis
 * ({@link RedisKeys#tasksWaiting}), so that a task published twice or finished twice counts once.
 * The planner adds a step's tasks once RabbitMQ has them; the worker removes a task when it has
 * finished or was skipped; the operations service counts them for the metrics.
 */
public class TaskBacklog {

    /** A set nobody adds to for this long (its tasks long gone) expires. */
    private static final Duration RETENTION = Duration.ofDays(1);

    private final StringRedisTemplate redis;

    TaskBacklog(StringRedisTemplate redis) {
        this.redis = redis;
    }

    public void published(String tenantId, List<ToolTask> tasks) {
        redis.executePipelined((RedisCallback<Object>) connection -> {
            for (ToolTask task : tasks) {
                byte[] key = RedisKeys.tasksWaiting(tenantId, task.priority()).getBytes(StandardCharsets.UTF_8);
                connection.setCommands().sAdd(key, task.taskId().getBytes(StandardCharsets.UTF_8));
                connection.keyCommands().expire(key, RETENTION.toSeconds());
            }
            return null;
        });
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
