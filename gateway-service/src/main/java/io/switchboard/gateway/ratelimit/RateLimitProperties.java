package io.switchboard.gateway.ratelimit;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The platform's limits on what a tenant does, for a tenant without its own
 * ({@code switchboard.tenants.<id>.rate-limit.runs} / {@code .window} / {@code .reads}) or for what
 * its own leaves unset.
 *
 * @param defaultRuns   runs a tenant may create in any window
 * @param defaultWindow the sliding window, in whole seconds
 * @param defaultReads  reads (GET under {@code /v1}, streams included) a tenant may make in one read window
 * @param readWindow    the fixed window reads are counted in
 */
@ConfigurationProperties("switchboard.rate-limit")
record RateLimitProperties(@DefaultValue("120") int defaultRuns, @DefaultValue("60s") Duration defaultWindow,
                           @DefaultValue("300") int defaultReads, @DefaultValue("10s") Duration readWindow) {
}
