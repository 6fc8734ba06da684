package io.switchboard.platform;

import java.util.Set;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** A connection to the Redis the tests run against (127.0.0.1:6379, started by {@code ./switchboard test}). */
final class RedisForTests {

    private RedisForTests() {
    }

    static StringRedisTemplate connect() {
        LettuceConnectionFactory factory = new LettuceConnectionFactory("127.0.0.1", 6379);
        factory.afterPropertiesSet();
        factory.start();
        return new StringRedisTemplate(factory);
    }

    static void deleteAll(StringRedisTemplate redis, String pattern) {
        Set<String> keys = redis.keys(pattern);
        if (keys != null && !keys.isEmpty()) {
            redis.delete(keys);
        }
    }
}
