package io.switchboard.platform;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the {@code tenant} tag of metrics bounded: the first {@code maxTenants} tenants seen keep
 * their own series, any further tenant is counted as {@code other}, so a platform with many
 * tenants cannot blow up the metrics store.
 */
class TenantTagLimit implements MeterFilter {

    static final String TAG = "tenant";
    static final String OTHER = "other";

    private final int maxTenants;
    private final Set<String> tenants = ConcurrentHashMap.newKeySet();

    TenantTagLimit(int maxTenants) {
        this.maxTenants = maxTenants;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        String tenant = id.getTag(TAG);
        if (tenant == null || tenants.contains(tenant) || (tenants.size() < maxTenants && tenants.add(tenant))) {
            return id;
        }
        return id.replaceTags(id.getTagsAsIterable()).withTag(Tag.of(TAG, OTHER));
    }
}
