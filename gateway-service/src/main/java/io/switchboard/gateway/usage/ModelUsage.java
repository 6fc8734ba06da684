package io.switchboard.gateway.usage;

import io.switchboard.events.RedisKeys;
import io.switchboard.platform.PlatformProperties;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The tokens models really used, as the worker counts them ({@link RedisKeys#modelUsagePerDay},
 * {@link RedisKeys#modelUsagePerRun}: hashes of {@code <model>:prompt} and {@code <model>:completion}),
 * and what they cost at the prices of the provider that serves each model. A model no configured
 * provider serves costs nothing.
 */
@Component
public class ModelUsage {

    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    private final StringRedisTemplate redis;
    private final PlatformProperties platform;

    ModelUsage(StringRedisTemplate redis, PlatformProperties platform) {
        this.redis = redis;
        this.platform = platform;
    }

    Costed day(String tenantId, LocalDate day) {
        return read(RedisKeys.modelUsagePerDay(tenantId, day));
    }

    public Costed run(String tenantId, String runId) {
        return read(RedisKeys.modelUsagePerRun(tenantId, runId));
    }

    private Costed read(String key) {
        return priced(redis.<String, String>opsForHash().entries(key));
    }

    /** Tokens by {@code <model>:prompt} and {@code <model>:completion}, priced. */
    public Costed priced(Map<String, String> counts) {
        Map<String, long[]> tokens = new TreeMap<>();
        counts.forEach((field, value) -> {
            // The model's own name may hold colons (llama3:8b); the kind is after the last one.
            int colon = field.lastIndexOf(':');
            String kind = field.substring(colon + 1);
            if (colon > 0 && (kind.equals("prompt") || kind.equals("completion"))) {
                tokens.computeIfAbsent(field.substring(0, colon), model -> new long[2])[kind.equals("prompt") ? 0 : 1]
                        += Long.parseLong(value);
            }
        });
        Map<String, Model> models = new TreeMap<>();
        BigDecimal total = BigDecimal.ZERO;
        for (Map.Entry<String, long[]> entry : tokens.entrySet()) {
            Model model = price(entry.getKey(), entry.getValue()[0], entry.getValue()[1]);
            models.put(entry.getKey(), model);
            total = total.add(model.cost());
        }
        return new Costed(models, plain(total));
    }

    private Model price(String model, long prompt, long completion) {
        PlatformProperties.ModelProvider provider = platform.providerOf(model).orElse(null);
        BigDecimal cost = provider == null ? BigDecimal.ZERO
                : BigDecimal.valueOf(prompt).multiply(BigDecimal.valueOf(provider.promptPrice()))
                        .add(BigDecimal.valueOf(completion).multiply(BigDecimal.valueOf(provider.completionPrice())))
                        .divide(MILLION, 6, RoundingMode.HALF_UP);
        return new Model(prompt, completion, plain(cost));
    }

    /** Rounded to six decimals, written without trailing zeros or an exponent. */
    private static BigDecimal plain(BigDecimal amount) {
        BigDecimal stripped = amount.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /**
     * @param models each model's tokens and cost, by the model's name at its provider
     * @param cost   the sum of the models' costs
     */
    public record Costed(Map<String, Model> models, BigDecimal cost) {
    }

    /** @param cost tokens / 1e6 × the provider's price per million, prompt and completion, to 6 decimals */
    public record Model(long promptTokens, long completionTokens, BigDecimal cost) {
    }
}
