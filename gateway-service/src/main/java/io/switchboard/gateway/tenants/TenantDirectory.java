package io.switchboard.gateway.tenants;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Finds the tenant an API key belongs to. Only hashes are kept; a key never sits in memory for long. */
@Component
class TenantDirectory {

    private final Map<String, String> tenantByKeyHash = new HashMap<>();

    TenantDirectory(TenantProperties properties) {
        properties.tenants().forEach((tenant, config) -> config.apiKeySha256()
                .forEach(hash -> tenantByKeyHash.put(hash.toLowerCase(Locale.ROOT), tenant)));
    }

    Optional<String> tenantOf(String apiKey) {
        return Optional.ofNullable(tenantByKeyHash.get(sha256(apiKey)));
    }

    static String sha256(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
