package io.switchboard.gateway.history;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.events.ToolDescription;
import io.switchboard.store.RunStore;
import java.util.ArrayList;
import java.util.List;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Erases a conversation everywhere Switchboard keeps it: its runs in the store (with their calls,
 * messages and archived events), and in Redis its runs' streams and state, its session state, its
 * memory and the tool outputs its runs cached (found again from their calls: the key is the call's
 * hash, with the tool's version in the catalog now; entries of an older version expire with their
 * TTL). Kafka keeps the events until the topics' retention ends; nothing reads them back but a
 * replay drill.
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
        List<String> keys = new ArrayList<>();
        for (RunStore.Call call : store.succeededCalls(tenantId, conversationId)) {
            Object description = redis.opsForHash().get(RedisKeys.TOOL_CATALOG, call.tool());
            if (description != null) {
                int version = EventCodec.mapper().readValue((String) description, ToolDescription.class).version();
                keys.add(RedisKeys.toolOutput(tenantId, call.tool(), version, call.args()));
            }
        }
        Long cachedOutputs = keys.isEmpty() ? 0L : redis.countExistingKeys(keys);
        List<String> runs = store.eraseConversation(tenantId, conversationId);
        // One scan of the tenant's keys finds those of the conversation and of its runs.
        String tenantPrefix = "sb:" + tenantId + ":";
        try (Cursor<String> scan = redis.scan(ScanOptions.scanOptions().match(tenantPrefix + "*").count(1_000).build())) {
            scan.forEachRemaining(key -> {
                if (mentions(key, conversationId) || runs.stream().anyMatch(run -> mentions(key, run))) {
                    keys.add(key);
                }
            });
        }
        Long removed = keys.isEmpty() ? 0L : redis.delete(keys.stream().distinct().toList());
        for (String run : runs) {
            redis.opsForZSet().remove(RedisKeys.RUN_DEADLINES, tenantId + "/" + run);
        }
        return new Erased(conversationId, runs, removed == null ? 0 : removed, cachedOutputs == null ? 0 : cachedOutputs);
    }

    /** Whether {@code id} is one of the key's {@code :}-separated parts. */
    private static boolean mentions(String key, String id) {
        int at = key.indexOf(":" + id);
        return at >= 0 && (key.length() == at + id.length() + 1 || key.charAt(at + id.length() + 1) == ':');
    }
}
