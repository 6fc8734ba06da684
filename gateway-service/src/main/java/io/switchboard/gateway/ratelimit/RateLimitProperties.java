package io.switchboard.gateway.ratelimit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The platform's limit on run creation, for a tenant without its own
 * ({@code switchboard.tenants.<id>.rate-limit.runs} / {@code .window}) or for what its own leaves unset.
 *
 * @param defaultRuns   runs a tenant may create in any window
 * @param defaultWindow the sliding window, in whole seconds
 */
@ConfigurationProperties("switchboard.rate-limit")
record RateLimitProperties(@DefaultValue("120") int defaultRuns, @DefaultValue("60s") Duration defaultWindow) {
}
