package io.switchboard.gateway.tenants;

import io.switchboard.events.Priority;
import io.switchboard.platform.PlatformProperties;
import io.switchboard.platform.ReadThroughCache;
import io.switchboard.platform.web.Problems;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * What a tenant may do: its feature flags, read through Memcached with a short TTL (configuration
 * is the source of truth), and its token budgets.
 */
@Component
public class TenantPolicies {

    private final Map<String, PlatformProperties.Tenant> tenants;
    private final BudgetProperties defaults;
    private final ReadThroughCache flags;

    TenantPolicies(PlatformProperties platform, BudgetProperties defaults, FlagProperties flags, ReadThroughCache cache) {
        this.tenants = platform.tenants();
        this.defaults = defaults;
        this.flags = cache.withTtl(flags.ttl());
    }

    /** Refuses (403, naming the flag) an agent or a priority the tenant's flags do not allow. */
    public void checkAllowed(String tenantId, String agent, Priority priority) {
        PlatformProperties.Flags flags = flags(tenantId);
        if (Boolean.FALSE.equals(flags.agents().get(agent))) {
            throw Problems.of(HttpStatus.FORBIDDEN, "Agent disabled",
                    "Agent '" + agent + "' is switched off for this tenant by the flag 'flags.agents." + agent + "'.");
        }
        if (priority == Priority.BACKGROUND && !flags.backgroundPriority()) {
            throw Problems.of(HttpStatus.FORBIDDEN, "Priority not allowed",
                    "Background priority is switched off for this tenant by the flag 'flags.background-priority'.");
        }
    }

    public long tokensPerDay(String tenantId) {
        Long limit = tenant(tenantId).budget().tokensPerDay();
        return limit != null ? limit : defaults.tokensPerDay();
    }

    public long tokensPerRun(String tenantId) {
        Long limit = tenant(tenantId).budget().tokensPerRun();
        return limit != null ? limit : defaults.tokensPerRun();
    }

    private PlatformProperties.Flags flags(String tenantId) {
        return flags.get("sb:" + tenantId + ":flags:v2", PlatformProperties.Flags.class, () -> tenant(tenantId).flags());
    }

    private PlatformProperties.Tenant tenant(String tenantId) {
        PlatformProperties.Tenant tenant = tenants.get(tenantId);
        return tenant != null ? tenant : PlatformProperties.Tenant.UNCONFIGURED;
    }

    /**
     * @param tokensPerDay a tenant's token budget per UTC day, unless it has its own
     * @param tokensPerRun one run's token budget, unless the tenant has its own
     */
    @ConfigurationProperties("switchboard.budgets")
    record BudgetProperties(@DefaultValue("1000000") long tokensPerDay, @DefaultValue("20000") long tokensPerRun) {
    }

    /** @param ttl how long a tenant's feature flags are cached in Memcached before configuration is read again */
    @ConfigurationProperties("switchboard.flags")
    record FlagProperties(@DefaultValue("30s") Duration ttl) {
    }
}
