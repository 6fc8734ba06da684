package io.switchboard.operations.deadletters;

import io.switchboard.events.EventCodec;
import io.switchboard.platform.PlatformProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The dead-letter archive in Redis: a hash {@code sb:dead-letters:<id>} per dead letter and the
 * index {@code sb:dead-letters}, a sorted set of ids scored by when each was dead-lettered, plus
 * one such index per tenant ({@code sb:<tenant>:dead-letters}) for dead letters that name their
 * tenant. All are kept for the runs' retention.
 */
@Component
class DeadLetters {

    static final String INDEX = "sb:dead-letters";
    private static final int PAGE = 500;

    /** Adds a dead letter unless it is there already: a redelivery leaves the first copy alone. */
    private static final RedisScript<Long> ARCHIVE = RedisScript.of("""
            if redis.call('EXISTS', KEYS[1]) == 1 then
              return 0
            end
            redis.call('HSET', KEYS[1], unpack(ARGV, 4))
            redis.call('EXPIRE', KEYS[1], ARGV[1])
            for i = 2, #KEYS do
              redis.call('ZADD', KEYS[i], ARGV[2], ARGV[3])
              redis.call('EXPIRE', KEYS[i], ARGV[1])
            end
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final Duration retention;

    DeadLetters(StringRedisTemplate redis, PlatformProperties properties) {
        this.redis = redis;
        this.retention = properties.runs().retention();
    }

    /** Whether the dead letter was new. */
    boolean archive(DeadLetter letter) {
        List<String> args = new ArrayList<>(List.of(String.valueOf(retention.toSeconds()),
                String.valueOf(letter.deadLetteredAt().toEpochMilli()), letter.id()));
        toHash(letter).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        List<String> keys = letter.tenant() == null ? List.of(key(letter.id()), INDEX)
                : List.of(key(letter.id()), INDEX, tenantIndex(letter.tenant()));
        Long added = redis.execute(ARCHIVE, keys, args.toArray());
        return added != null && added == 1;
    }

    Optional<DeadLetter> find(String id) {
        Map<Object, Object> hash = redis.opsForHash().entries(key(id));
        return hash.isEmpty() ? Optional.empty() : Optional.of(fromHash(hash));
    }

    /** How many dead letters the archive holds. */
    long total() {
        redis.opsForZSet().removeRangeByScore(INDEX, Double.NEGATIVE_INFINITY,
                Instant.now().minus(retention).toEpochMilli());
        Long count = redis.opsForZSet().zCard(INDEX);
        return count == null ? 0 : count;
    }

    /** The newest dead letters, of one source or (null) of all. */
    List<DeadLetter> newest(String source, int limit) {
        return newest(INDEX, source, limit);
    }

    /** The newest dead letters of one tenant. */
    List<DeadLetter> newestOf(String tenantId, int limit) {
        return newest(tenantIndex(tenantId), null, limit);
    }

    private List<DeadLetter> newest(String index, String source, int limit) {
        List<DeadLetter> found = new ArrayList<>();
        for (long start = 0; found.size() < limit; start += PAGE) {
            Set<String> ids = redis.opsForZSet().reverseRange(index, start, start + PAGE - 1);
            if (ids == null || ids.isEmpty()) {
                break;
            }
            ids.stream()
                    .filter(id -> source == null || id.startsWith(source + ":"))
                    .forEach(id -> {
                        if (found.size() < limit) {
                            find(id).ifPresent(found::add);
                        }
                    });
        }
        return found;
    }

    void remove(String id) {
        find(id).map(DeadLetter::tenant).ifPresent(tenant -> redis.opsForZSet().remove(tenantIndex(tenant), id));
        redis.delete(key(id));
        redis.opsForZSet().remove(INDEX, id);
    }

    private static String tenantIndex(String tenantId) {
        return "sb:" + tenantId + ":dead-letters";
    }

    private static String key(String id) {
        return INDEX + ":" + id;
    }

    private static Map<String, String> toHash(DeadLetter letter) {
        Map<String, String> hash = new LinkedHashMap<>();
        hash.put("id", letter.id());
        hash.put("source", letter.source());
        hash.put("origin", letter.origin());
        hash.put("reason", letter.reason());
        hash.put("exception", letter.exception());
        hash.put("attempts", String.valueOf(letter.attempts()));
        hash.put("tenant", letter.tenant());
        hash.put("runId", letter.runId());
        hash.put("deadLetteredAt", letter.deadLetteredAt().toString());
        hash.put("payload", letter.payload() == null ? null : Base64.getEncoder().encodeToString(letter.payload()));
        Object original = letter.kafka() != null ? letter.kafka() : letter.rabbit();
        hash.put("original", EventCodec.mapper().writeValueAsString(original));
        hash.values().removeIf(value -> value == null);
        return hash;
    }

    private static DeadLetter fromHash(Map<Object, Object> hash) {
        String source = (String) hash.get("source");
        String original = (String) hash.get("original");
        String payload = (String) hash.get("payload");
        return new DeadLetter(
                (String) hash.get("id"),
                source,
                (String) hash.get("origin"),
                (String) hash.get("reason"),
                (String) hash.get("exception"),
                Integer.parseInt((String) hash.get("attempts")),
                (String) hash.get("tenant"),
                (String) hash.get("runId"),
                Instant.parse((String) hash.get("deadLetteredAt")),
                payload == null ? null : Base64.getDecoder().decode(payload),
                DeadLetter.KAFKA.equals(source)
                        ? EventCodec.mapper().readValue(original, DeadLetter.KafkaOriginal.class) : null,
                DeadLetter.RABBITMQ.equals(source)
                        ? EventCodec.mapper().readValue(original, DeadLetter.RabbitOriginal.class) : null);
    }
}
