package io.switchboard.worker.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.switchboard.platform.PlatformProperties.ModelProvider;
import io.switchboard.tools.ToolFailure;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/** A provider key's rate limits, shared through the real Redis. */
class ModelRateLimitsTest {

    private final LettuceConnectionFactory connections = connect();
    private final StringRedisTemplate redis = new StringRedisTemplate(connections);
    private final ModelRateLimits limits = new ModelRateLimits(redis);
    private final String replyKey = "sb:limits-test:run:" + UUID.randomUUID() + ":model:1";

    @AfterEach
    void close() {
        connections.destroy();
    }

    @Test
    void aKeyOverItsRequestsPerMinuteIsToldWhenTheNextMinuteStarts() {
        ModelProviders.Provider provider = provider(2, 1_000_000);

        limits.take(provider, 10, Duration.ZERO, replyKey);
        limits.take(provider, 10, Duration.ZERO, replyKey);

        assertThatThrownBy(() -> limits.take(provider, 10, Duration.ZERO, replyKey))
                .isInstanceOfSatisfying(ToolFailure.class, failure -> {
                    assertThat(failure.retryable()).isTrue();
                    assertThat(failure.retryAfter()).get().satisfies(after ->
                            assertThat(after).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1)));
                })
                .hasMessageContaining("rate limit of 2 requests");
    }

    @Test
    void tokensAreTakenAsReservedAndCorrectedToWhatTheCallUsed() {
        ModelProviders.Provider provider = provider(100, 1_000);

        ModelRateLimits.Permit first = limits.take(provider, 600, Duration.ZERO, replyKey);
        assertThatThrownBy(() -> limits.take(provider, 600, Duration.ZERO, replyKey)).isInstanceOf(ToolFailure.class);

        limits.correct(first, 150);

        assertThat(limits.take(provider, 600, Duration.ZERO, replyKey).tokens()).isEqualTo(600);
    }

    @Test
    void aCallAnsweredBeforeGetsItsRecordedReplyAndTakesNothing() {
        ModelProviders.Provider provider = provider(1, 1_000);
        redis.opsForValue().set(replyKey, "{\"taskId\":\"t\"}", Duration.ofMinutes(1));

        ModelRateLimits.Permit permit = limits.take(provider, 600, Duration.ZERO, replyKey);

        assertThat(permit.recorded()).contains("{\"taskId\":\"t\"}");
        assertThat(permit.tokens()).isZero();
        redis.delete(replyKey);
        assertThat(limits.take(provider, 600, Duration.ZERO, replyKey).recorded()).isEmpty();
    }

    @Test
    void keysAreNamedByAHashNeverByTheKeyItself() {
        ModelProviders.Provider provider = provider(100, 1_000);
        limits.take(provider, 1, Duration.ZERO, replyKey);

        assertThat(redis.keys("sb:model-rate:*")).isNotEmpty().noneMatch(key -> key.contains(provider.settings().apiKey()));
    }

    private static ModelProviders.Provider provider(int requestsPerMinute, long tokensPerMinute) {
        ModelProvider settings = new ModelProvider("http://127.0.0.1:1/v1", "sk-" + UUID.randomUUID(), "m", requestsPerMinute,
                tokensPerMinute, Duration.ofSeconds(5), 0, 0, 1);
        return new ModelProviders.Provider("default", settings, null, ModelProviders.keyHash(settings));
    }

    private static LettuceConnectionFactory connect() {
        LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }
}
