package io.switchboard.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.switchboard.platform.Outages;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;

/** The sliding window's script on the real Redis, one fresh tenant per test. */
class RateLimitWindowTest {

    private static LettuceConnectionFactory connections;
    private static StringRedisTemplate redis;
    private static SlidingWindowLimiter limiter;

    private final String tenant = "window-test-" + UUID.randomUUID();

    @BeforeAll
    static void connect() {
        connections = new LettuceConnectionFactory("127.0.0.1", 6379);
        connections.afterPropertiesSet();
        connections.start();
        redis = new StringRedisTemplate(connections);
        limiter = new SlidingWindowLimiter(redis);
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    @Test
    void admitsUpToTheLimitCountsOnlyAdmissionsAndAdmitsAgainOnceTheOldestLeavesTheWindow() {
        Policy policy = Policy.checked("test", 3, Duration.ofSeconds(2));

        List<SlidingWindowLimiter.Decision> admitted = IntStream.range(0, 3).mapToObj(i -> limiter.acquire(tenant, policy)).toList();
        SlidingWindowLimiter.Decision refused = limiter.acquire(tenant, policy);

        assertThat(admitted).extracting(SlidingWindowLimiter.Decision::admitted).containsOnly(true);
        assertThat(admitted).extracting(SlidingWindowLimiter.Decision::remaining).containsExactly(2L, 1L, 0L);
        assertThat(admitted).allSatisfy(decision -> assertThat(decision.untilSlotFrees())
                .isPositive().isLessThanOrEqualTo(Duration.ofSeconds(2)));
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.untilSlotFrees()).isPositive().isLessThanOrEqualTo(admitted.getLast().untilSlotFrees());
        assertThat(refused.secondsUntilSlotFrees()).isBetween(1L, 2L);

        String key = SlidingWindowLimiter.key(tenant);
        Set<ZSetOperations.TypedTuple<String>> entries = redis.opsForZSet().rangeWithScores(key, 0, -1);
        assertThat(entries).hasSize(3).allSatisfy(entry -> {
            assertThat(entry.getValue()).matches("\\d{16}-[0-9a-f-]{36}");
            assertThat(entry.getScore()).isEqualTo(Double.parseDouble(entry.getValue().substring(0, 16)));
        });
        assertThat(redis.getExpire(key)).isBetween(1L, 2L);

        SlidingWindowLimiter.Decision later = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> limiter.acquire(tenant, policy), SlidingWindowLimiter.Decision::admitted);
        assertThat(redis.opsForZSet().size(key)).isLessThanOrEqualTo(3);
        assertThat(later.remaining()).isBetween(0L, 2L);
    }

    @Test
    void concurrentRequestsAreAdmittedExactlyUpToTheLimit() throws Exception {
        Policy policy = Policy.checked("test", 10, Duration.ofSeconds(60));
        Callable<Boolean> request = () -> limiter.acquire(tenant, policy).admitted();

        long admitted;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> answers = clients.invokeAll(IntStream.range(0, 64).mapToObj(i -> request).toList());
            admitted = answers.stream().filter(answer -> answer.resultNow()).count();
        }

        assertThat(admitted).isEqualTo(10);
        assertThat(redis.opsForZSet().size(SlidingWindowLimiter.key(tenant))).isEqualTo(10);
    }

    @Test
    void aLimitOfZeroAdmitsNothingAndNamesTheWholeWindow() {
        SlidingWindowLimiter.Decision decision = limiter.acquire(tenant, Policy.checked("test", 0, Duration.ofSeconds(30)));

        assertThat(decision.admitted()).isFalse();
        assertThat(decision.header()).isEqualTo("\"runs\";r=0;t=30");
        assertThat(redis.hasKey(SlidingWindowLimiter.key(tenant))).isFalse();
    }

    @Test
    void anUnreachableRedisIsAnOutageWhichTheApiAnswersWith503() {
        LettuceConnectionFactory nowhere = new LettuceConnectionFactory("127.0.0.1", 1);
        nowhere.afterPropertiesSet();
        nowhere.start();
        try {
            Throwable failure = catchThrowable(() -> new SlidingWindowLimiter(new StringRedisTemplate(nowhere))
                    .acquire(tenant, Policy.checked("test", 5, Duration.ofSeconds(10))));

            assertThat(Outages.isOutage(failure)).as("outage: " + failure).isTrue();
        } finally {
            nowhere.destroy();
        }
    }

    @Test
    void aWindowMustBeWholeSeconds() {
        assertThat(catchThrowable(() -> Policy.checked("switchboard.tenants.x.rate-limit", 5, Duration.ofMillis(1500))))
                .hasMessageContaining("switchboard.tenants.x.rate-limit: the window must be whole seconds");
        assertThat(Policy.checked("p", 5, Duration.ofSeconds(10)).header()).isEqualTo("\"runs\";q=5;w=10");
    }
}
