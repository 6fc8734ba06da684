package io.switchboard.gateway.idempotency;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param retention       how long a key and the response it produced are kept
 * @param inFlightTimeout how long a key stays claimed by a request that never finished (its
 *                        gateway died); longer than any request takes
 */
@ConfigurationProperties("switchboard.idempotency")
record IdempotencyProperties(@DefaultValue("24h") Duration retention, @DefaultValue("60s") Duration inFlightTimeout) {
}
