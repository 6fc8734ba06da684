package io.switchboard.worker.session;

import io.switchboard.events.RedisKeys;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * A conversation's session state in Redis, with one writer at a time. A writer holds a lease
 * whose value is a fencing token from a counter; every write checks, atomically, that the lease
 * still carries its token, so a writer whose lease expired cannot write.
 */
@Component
public class SessionStore {

    private static final RedisScript<Long> FENCED_APPEND = RedisScript.of("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then
              return -1
            end
            local size = redis.call('RPUSH', KEYS[2], ARGV[2])
            redis.call('EXPIRE', KEYS[2], ARGV[3])
            return size
            """, Long.class);

    private static final RedisScript<Long> RELEASE = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """, Long.class);

    private final StringRedisTemplate redis;
    private final SessionProperties properties;

    SessionStore(StringRedisTemplate redis, SessionProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    /** Takes the session's lease, waiting up to the configured time; empty if another writer keeps it. */
    public Optional<Lease> lock(String tenantId, String conversationId) {
        String lockKey = key(tenantId, conversationId, "lock");
        long token = redis.opsForValue().increment(key(tenantId, conversationId, "fence"));
        long deadline = System.nanoTime() + properties.lockWait().toNanos();
        do {
            if (Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(lockKey, String.valueOf(token), properties.lease()))) {
                return Optional.of(new Lease(tenantId, conversationId, token));
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    /** Appends a fact under the lease; false if the lease was lost (expired and taken by another writer). */
    public boolean append(Lease lease, String fact) {
        Long size = redis.execute(FENCED_APPEND,
                List.of(key(lease.tenantId(), lease.conversationId(), "lock"), factsKey(lease.tenantId(), lease.conversationId())),
                String.valueOf(lease.token()), fact, String.valueOf(properties.ttl().toSeconds()));
        return size != null && size >= 0;
    }

    public void release(Lease lease) {
        redis.execute(RELEASE, List.of(key(lease.tenantId(), lease.conversationId(), "lock")), String.valueOf(lease.token()));
    }

    public List<String> facts(String tenantId, String conversationId) {
        List<String> facts = redis.opsForList().range(factsKey(tenantId, conversationId), 0, -1);
        return facts == null ? List.of() : facts;
    }

    private static String factsKey(String tenantId, String conversationId) {
        return key(tenantId, conversationId, "facts");
    }

    private static String key(String tenantId, String conversationId, String part) {
        return RedisKeys.session(tenantId, conversationId, part);
    }

    public record Lease(String tenantId, String conversationId, long token) {
    }

    /**
     * @param ttl      how long a conversation's facts are kept after its last write
     * @param lease    how long a writer holds the session before its lease expires
     * @param lockWait how long a writer waits for the lease
     */
    @ConfigurationProperties("switchboard.session")
    record SessionProperties(
            @DefaultValue("7d") Duration ttl,
            @DefaultValue("10s") Duration lease,
            @DefaultValue("5s") Duration lockWait) {
    }
}
