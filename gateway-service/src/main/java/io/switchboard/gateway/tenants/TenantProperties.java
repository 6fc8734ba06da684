package io.switchboard.gateway.tenants;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Tenants, the SHA-256 hashes (hex) of their API keys and, optionally, their own rate limit.
 * Several hashes per tenant let a key rotate without downtime. In production this comes from a
 * Secret.
 */
@ConfigurationProperties("switchboard")
public record TenantProperties(Map<String, Tenant> tenants) {

    public TenantProperties {
        tenants = tenants == null ? Map.of() : tenants;
    }

    /** @param rateLimit how many runs the tenant may create; without it the platform default applies */
    public record Tenant(List<String> apiKeySha256, RateLimit rateLimit) {

        public Tenant {
            apiKeySha256 = apiKeySha256 == null ? List.of() : apiKeySha256;
        }
    }

    /**
     * @param runs   runs the tenant may create in any {@code window}; unset takes the platform default
     * @param window the sliding window, in whole seconds; unset takes the platform default
     */
    public record RateLimit(Integer runs, Duration window) {
    }
}
