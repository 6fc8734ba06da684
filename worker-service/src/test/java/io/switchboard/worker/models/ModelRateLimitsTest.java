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

    @AfterEach
    void close() {
        connections.destroy();
    }

    @Test
    void aKeyOverItsRequestsPerMinuteIsToldWhenTheNextMinuteStarts() {
        ModelProviders.Provider provider = provider(2, 1_000_000);

        limits.take(provider, 10, Duration.ZERO);
        limits.take(provider, 10, Duration.ZERO);

        assertThatThrownBy(() -> limits.take(provider, 10, Duration.ZERO))
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

        ModelRateLimits.Permit first = limits.take(provider, 600, Duration.ZERO);
        assertThatThrownBy(() -> limits.take(provider, 600, Duration.ZERO)).isInstanceOf(ToolFailure.class);

        limits.correct(first, 150);

        assertThat(limits.take(provider, 600, Duration.ZERO).tokens()).isEqualTo(600);
    }

    @Test
    void keysAreNamedByAHashNeverByTheKeyItself() {
        ModelProviders.Provider provider = provider(100, 1_000);
        limits.take(provider, 1, Duration.ZERO);

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
