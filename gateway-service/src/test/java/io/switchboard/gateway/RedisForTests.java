package io.switchboard.gateway;

import java.util.Set;
import org.springframework.data.redis.core.StringRedisTemplate;

final class RedisForTests {

    private RedisForTests() {
    }

    /** Forgets everything a tenant has in Redis, so a test starts from a clean budget. */
    static void deleteTenant(StringRedisTemplate redis, String tenantId) {
        Set<String> keys = redis.keys("sb:" + tenantId + ":*");
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
    }
}
