package io.switchboard.store;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param liveRetention   how long Redis keeps an ended run's stream once the store has it; reads
 *                        after that come from the store
 * @param retention       how long the store keeps a run
 * @param tenantRetention a tenant's own retention, in place of {@code retention}
 */
@ConfigurationProperties("switchboard.store")
public record RunStoreProperties(
        @DefaultValue("1h") Duration liveRetention,
        @DefaultValue("90d") Duration retention,
        Map<String, Duration> tenantRetention) {

    public RunStoreProperties {
        tenantRetention = tenantRetention == null ? Map.of() : Map.copyOf(tenantRetention);
    }
}
