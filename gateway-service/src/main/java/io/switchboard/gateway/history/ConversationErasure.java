package io.switchboard.gateway.history;

import io.switchboard.events.RedisKeys;
import io.switchboard.store.RunStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Erases a conversation everywhere Switchboard keeps it: its runs in the store (with their calls,
 * messages and archived events), and in Redis its runs' streams and state, its session state, its
 * memory and the tool outputs its runs cached. Kafka keeps the events until the topics' retention
 * ends; nothing reads them back but a replay drill.
 */
@Component
class ConversationErasure {

    private final RunStore store;
    private final StringRedisTemplate redis;

    ConversationErasure(RunStore store, StringRedisTemplate redis) {
        this.store = store;
        this.redis = redis;
    }

    /** What an erasure removed: the runs, the Redis keys (the cached tool outputs among them). */
    record Erased(String conversationId, List<String> runs, long redisKeys, long cachedToolOutputs) {
    }

    Erased erase(String tenantId, String conversationId) {
        List<String> runs = new ArrayList<>(store.eraseConversation(tenantId, conversationId));
        String toolCache = RedisKeys.conversationToolCache(tenantId, conversationId);
        Set<String> cached = redis.opsForSet().members(toolCache);
        List<String> keys = new ArrayList<>(cached == null ? Set.of() : cached);
        long cachedOutputs = keys.isEmpty() ? 0 : redis.countExistingKeys(keys);
        // One scan of the tenant's keys finds those of the conversation and of its runs.
        String tenantPrefix = "sb:" + tenantId + ":";
        try (Cursor<String> scan = redis.scan(ScanOptions.scanOptions().match(tenantPrefix + "*").count(1_000).build())) {
            scan.forEachRemaining(key -> {
                if (mentions(key, conversationId) || runs.stream().anyMatch(run -> mentions(key, run))) {
                    keys.add(key);
                }
            });
        }
        keys.add(toolCache);
        Long removed = redis.delete(keys.stream().distinct().toList());
        for (String run : runs) {
            redis.opsForZSet().remove(RedisKeys.RUN_DEADLINES, tenantId + "/" + run);
        }
        return new Erased(conversationId, runs, removed == null ? 0 : removed, cachedOutputs);
    }

    /** Whether {@code id} is one of the key's {@code :}-separated parts. */
    private static boolean mentions(String key, String id) {
        int at = key.indexOf(":" + id);
        return at >= 0 && (key.length() == at + id.length() + 1 || key.charAt(at + id.length() + 1) == ':');
    }
}
