package io.switchboard.gateway.tenants;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * What a tenant may do at the gateway: optionally its own rate limit, token budgets and feature
 * flags. Its API keys ({@code api-key-sha256}) sit beside these and are read by
 * {@link io.switchboard.platform.web.ApiKeyProperties}. In production this comes from a Secret.
 */
@ConfigurationProperties("switchboard")
public record TenantProperties(Map<String, Tenant> tenants) {

    public TenantProperties {
        tenants = tenants == null ? Map.of() : tenants;
    }

    /**
     * @param rateLimit how many runs the tenant may create; without it the platform default applies
     * @param budget    token budgets; the platform's ({@code switchboard.budgets}) where unset
     * @param flags     feature flags; everything allowed where unset
     */
    public record Tenant(RateLimit rateLimit, Budget budget, Flags flags) {

        public Tenant {
            budget = budget == null ? new Budget(null, null) : budget;
            flags = flags == null ? new Flags(null, null) : flags;
        }
    }

    /** Tokens a tenant may use per UTC day, and one run at most. */
    public record Budget(Long tokensPerDay, Long tokensPerRun) {
    }

    /**
     * @param agents             agents switched on ({@code true}) or off ({@code false}) for the tenant
     * @param backgroundPriority whether the tenant may start runs with {@code priority: background}
     */
    public record Flags(Map<String, Boolean> agents, Boolean backgroundPriority) {

        public Flags {
            agents = agents == null ? Map.of() : agents;
            backgroundPriority = backgroundPriority == null || backgroundPriority;
        }
    }

    /**
     * @param runs   runs the tenant may create in any {@code window}; unset takes the platform default
     * @param window the sliding window, in whole seconds; unset takes the platform default
     */
    public record RateLimit(Integer runs, Duration window) {
    }
}
