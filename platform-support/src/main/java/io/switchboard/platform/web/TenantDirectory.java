package io.switchboard.platform.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.switchboard.platform.PlatformProperties;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Finds the tenant an API key belongs to. Only hashes are kept; a key never sits in memory for long.
 * Configured keys are known at once; a managed key ({@link ManagedApiKeys}) is looked up and its
 * answer, a tenant or none, kept for {@link #CACHED}, so authenticating costs no database call per
 * request and a revocation takes effect within that time. A managed key of a tenant that is no
 * longer configured opens nothing.
 */
@Component
public class TenantDirectory {

    static final Duration CACHED = Duration.ofSeconds(10);
    private static final int MAX_CACHED = 10_000;

    private final Map<String, String> tenantByKeyHash = new HashMap<>();
    private final PlatformProperties properties;
    private final ManagedApiKeys managed;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Counter lookups;

    TenantDirectory(PlatformProperties properties, ObjectProvider<ManagedApiKeys> managed, ObjectProvider<MeterRegistry> meters) {
        properties.tenants().forEach((tenant, config) -> config.apiKeySha256()
                .forEach(hash -> tenantByKeyHash.put(hash.toLowerCase(Locale.ROOT), tenant)));
        this.properties = properties;
        this.managed = managed.getIfAvailable();
        this.lookups = Counter.builder("switchboard.apikeys.lookups").description("Managed API keys looked up in the store")
                .register(meters.getIfAvailable(SimpleMeterRegistry::new));
    }

    Optional<String> tenantOf(String apiKey) {
        String hash = ApiKeys.sha256(apiKey);
        String configured = tenantByKeyHash.get(hash);
        if (configured != null || managed == null) {
            return Optional.ofNullable(configured);
        }
        long now = System.nanoTime();
        Cached cached = cache.get(hash);
        if (cached == null || now - cached.at() > CACHED.toNanos()) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            lookups.increment();
            cached = new Cached(managed.tenantOf(hash).filter(properties.tenants()::containsKey), now);
            cache.put(hash, cached);
        }
        return cached.tenant();
    }

    /** Forgets what was looked up of a key, so that a revocation here takes effect at once. */
    public void forget(String sha256) {
        cache.remove(sha256);
    }

    private record Cached(Optional<String> tenant, long at) {
    }
}
