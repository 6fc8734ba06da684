package io.switchboard.gateway.tenants;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Tenants and the SHA-256 hashes (hex) of their API keys. Several hashes per tenant let a key
 * rotate without downtime. In production this comes from a Secret.
 */
@ConfigurationProperties("switchboard")
public record TenantProperties(Map<String, Tenant> tenants) {

    public TenantProperties {
        tenants = tenants == null ? Map.of() : tenants;
    }

    public record Tenant(List<String> apiKeySha256) {

        public Tenant {
            apiKeySha256 = apiKeySha256 == null ? List.of() : apiKeySha256;
        }
    }
}
