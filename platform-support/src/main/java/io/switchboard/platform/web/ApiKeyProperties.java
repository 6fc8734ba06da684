package io.switchboard.platform.web;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The keys the API takes, as configuration keeps them: the SHA-256 hashes (hex) of each tenant's
 * keys ({@code switchboard.tenants.<id>.api-key-sha256}) and of the admin keys
 * ({@code switchboard.admin.api-key-sha256}), which are no tenant's. Several hashes allow rotation
 * without downtime. In production they come from a Secret; without any, every request is refused.
 */
@ConfigurationProperties("switchboard")
public record ApiKeyProperties(Map<String, Keys> tenants, Keys admin) {

    public ApiKeyProperties {
        tenants = tenants == null ? Map.of() : tenants;
        admin = admin == null ? new Keys(null) : admin;
    }

    public record Keys(List<String> apiKeySha256) {

        public Keys {
            apiKeySha256 = apiKeySha256 == null ? List.of() : apiKeySha256;
        }
    }
}
