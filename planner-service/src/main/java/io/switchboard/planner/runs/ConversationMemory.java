package io.switchboard.planner.runs;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;

/**
 * What a model agent remembers of a conversation: the messages of its earlier runs (the user's,
 * the model's and the tool results), kept in Redis for the conversation's lifetime. A run that
 * ends with an answer adds its messages as one entry, once per run, in one atomic step, so runs
 * of one conversation never interleave their messages; a run starting reads back the latest runs
 * that fit the agent's window. Whole runs are kept or dropped, so a tool result never loses the
 * call it answers.
 */
@Component
public class ConversationMemory {

    /** KEYS: the runs list, the set of runs kept. ARGV: run id, its messages, most runs kept, TTL seconds. */
    private static final RedisScript<Long> REMEMBER = RedisScript.of("""
            if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
              redis.call('RPUSH', KEYS[1], ARGV[2])
              redis.call('LTRIM', KEYS[1], -tonumber(ARGV[3]), -1)
            end
            redis.call('EXPIRE', KEYS[1], ARGV[4])
            redis.call('EXPIRE', KEYS[2], ARGV[4])
            return redis.call('LLEN', KEYS[1])
            """, Long.class);
    private static final TypeReference<List<Map<String, Object>>> MESSAGES = new TypeReference<>() {
    };

    private final StringRedisTemplate redis;
    private final MemoryProperties properties;

    ConversationMemory(StringRedisTemplate redis, MemoryProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    /** The messages of the conversation's latest runs whose text together fits {@code tokens} (about 4 characters a token). */
    public List<Map<String, Object>> recall(String tenantId, String conversationId, int tokens) {
        List<String> runs = redis.opsForList().range(key(tenantId, conversationId), 0, -1);
        if (runs == null || runs.isEmpty()) {
            return List.of();
        }
        List<List<Map<String, Object>>> kept = new ArrayList<>();
        long budget = tokens * 4L;
        for (int i = runs.size() - 1; i >= 0 && budget > 0; i--) {
            List<Map<String, Object>> run = EventCodec.mapper().readValue(runs.get(i), MESSAGES);
            budget -= runs.get(i).length();
            if (budget >= 0) {
                kept.add(run);
            }
        }
        Collections.reverse(kept);
        return kept.stream().flatMap(List::stream).toList();
    }

    /** Adds a run's messages to its conversation, once however often it is called. */
    public void remember(String tenantId, String conversationId, String runId, List<Map<String, Object>> messages) {
        String key = key(tenantId, conversationId);
        redis.execute(REMEMBER, List.of(key, key + ":runs"), runId, EventCodec.mapper().writeValueAsString(messages),
                String.valueOf(properties.maxRuns()), String.valueOf(properties.ttl().toSeconds()));
    }

    private static String key(String tenantId, String conversationId) {
        return RedisKeys.conversationMemory(tenantId, conversationId);
    }

    /**
     * @param ttl     how long a conversation is remembered after its last run
     * @param maxRuns the most runs of one conversation kept; older ones are forgotten
     */
    @ConfigurationProperties("switchboard.conversations")
    record MemoryProperties(@DefaultValue("7d") Duration ttl, @DefaultValue("50") int maxRuns) {
    }
}
