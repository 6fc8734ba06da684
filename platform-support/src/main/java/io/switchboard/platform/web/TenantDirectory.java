package io.switchboard.platform.web;

import io.switchboard.platform.PlatformProperties;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Finds the tenant an API key belongs to. Only hashes are kept; a key never sits in memory for long. */
@Component
class TenantDirectory {

    private final Map<String, String> tenantByKeyHash = new HashMap<>();

    TenantDirectory(PlatformProperties properties) {
        properties.tenants().forEach((tenant, config) -> config.apiKeySha256()
                .forEach(hash -> tenantByKeyHash.put(hash.toLowerCase(Locale.ROOT), tenant)));
    }

    Optional<String> tenantOf(String apiKey) {
        return Optional.ofNullable(tenantByKeyHash.get(ApiKeys.sha256(apiKey)));
    }
}
