package io.switchboard.store;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param liveRetention   how long Redis keeps an ended run's stream once the store has it; reads
 *                        after that come from the store
 * @param retention       how long the store keeps a run
 * @param tenantRetention a tenant's own retention, in place of {@code retention}
 * @param semantic        search by meaning
 */
@ConfigurationProperties("switchboard.store")
public record RunStoreProperties(
        @DefaultValue("1h") Duration liveRetention,
        @DefaultValue("90d") Duration retention,
        Map<String, Duration> tenantRetention,
        @DefaultValue Semantic semantic) {

    public RunStoreProperties {
        tenantRetention = tenantRetention == null ? Map.of() : Map.copyOf(tenantRetention);
    }

    /**
     * @param enabled whether runs are embedded (by the store's writer) and searched by meaning
     *                (where the embedding model is on the classpath: the composer and the gateway)
     * @param memory    the embeddings a searching service keeps in memory, over all tenants
     * @param dutyCycle the share of the time the indexer may work: embedding costs about 10 ms of
     *                  CPU a run, more than the rest of a run's way through the platform
     */
    public record Semantic(@DefaultValue("true") boolean enabled, @DefaultValue("64MB") DataSize memory,
                           @DefaultValue("0.25") double dutyCycle) {

        public Semantic {
            dutyCycle = Math.max(0.01, Math.min(1, dutyCycle));
        }
    }
}
