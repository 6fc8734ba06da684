package io.switchboard.composer.store;

import io.switchboard.store.RunStore;
import io.switchboard.store.RunStoreProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Removes stored runs past their tenant's retention ({@code switchboard.store.retention}, or the tenant's own), hourly. */
@Component
class RunRetention {

    private static final Logger LOG = LoggerFactory.getLogger(RunRetention.class);

    private final RunStore store;
    private final RunStoreProperties properties;
    private final Clock clock;

    RunRetention(RunStore store, RunStoreProperties properties) {
        this.store = store;
        this.properties = properties;
        this.clock = Clock.systemUTC();
    }

    @Scheduled(initialDelay = 60_000, fixedDelay = 3_600_000)
    void expire() {
        int removed = 0;
        for (Map.Entry<String, Duration> tenant : properties.tenantRetention().entrySet()) {
            removed += store.expire(tenant.getKey(), List.of(), clock.instant().minus(tenant.getValue()));
        }
        removed += store.expire(null, List.copyOf(properties.tenantRetention().keySet()),
                clock.instant().minus(properties.retention()));
        if (removed > 0) {
            LOG.info("removed {} runs past their retention", removed);
        }
    }
}
