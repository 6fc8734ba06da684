package io.switchboard.worker.tools;

import io.switchboard.events.EventCodec;
import io.switchboard.events.RedisKeys;
import io.switchboard.tools.ToolMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.springframework.data.redis.connection.RedisStringCommands;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.types.Expiration;
import org.springframework.stereotype.Component;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The successful outputs of deterministic tools, in Redis under a hash of the tool's name, its
 * version and its arguments as canonical JSON ({@code sb:<tenant>:tool-cache:<sha256>}), kept for
 * {@code switchboard.tools.cache-ttl}. The same call again, in any run of the tenant, is answered
 * without running the tool; tenants never share an entry. Other tools are never cached.
 */
@Component
public class ToolOutputCache {

    /** Map keys sorted at every level, no whitespace: the same arguments always give the same text. */
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private final StringRedisTemplate redis;
    private final Duration ttl;

    ToolOutputCache(StringRedisTemplate redis, Tools.ToolProperties properties) {
        this.redis = redis;
        this.ttl = properties.cacheTtl();
    }

    /** The output this call gave before, if the tool is deterministic and the output still cached. */
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> find(String tenantId, ToolMetadata tool, Map<String, Object> args) {
        if (!tool.deterministic()) {
            return Optional.empty();
        }
        String output = redis.opsForValue().get(key(tenantId, tool, args));
        return Optional.ofNullable(output).map(json -> (Map<String, Object>) EventCodec.mapper().readValue(json, Map.class));
    }

    /**
     * Keeps a successful output of a deterministic tool, and notes its key among the
     * conversation's ({@link RedisKeys#conversationToolCache}) so that erasing the conversation
     * removes it, in one round trip; does nothing for other tools.
     */
    public void store(String tenantId, String conversationId, ToolMetadata tool, Map<String, Object> args,
                      Map<String, Object> output) {
        if (!tool.deterministic()) {
            return;
        }
        byte[] key = bytes(key(tenantId, tool, args));
        byte[] conversation = bytes(RedisKeys.conversationToolCache(tenantId, conversationId));
        redis.executePipelined((RedisCallback<Object>) connection -> {
            connection.stringCommands().set(key, bytes(EventCodec.mapper().writeValueAsString(output)),
                    Expiration.from(ttl), RedisStringCommands.SetOption.upsert());
            connection.setCommands().sAdd(conversation, key);
            connection.keyCommands().expire(conversation, ttl.toSeconds());
            return null;
        });
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The Redis key of a call: {@code sb:<tenant>:tool-cache:<sha256 of name, version and canonical arguments>}. */
    public static String key(String tenantId, ToolMetadata tool, Map<String, Object> args) {
        String call = tool.name() + "\n" + tool.version() + "\n" + CANONICAL.writeValueAsString(args == null ? Map.of() : args);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(call.getBytes(StandardCharsets.UTF_8));
            return "sb:" + tenantId + ":tool-cache:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
