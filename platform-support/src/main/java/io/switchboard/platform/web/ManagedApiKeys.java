package io.switchboard.platform.web;

import java.util.Optional;

/**
 * API keys made and revoked at run time (by the admin API) rather than configured: where a
 * service has them, {@link TenantDirectory} asks for a key it does not know from configuration,
 * through a short cache.
 */
public interface ManagedApiKeys {

    /** The tenant whose valid (not revoked, not expired) key has this SHA-256 (hex), if any. */
    Optional<String> tenantOf(String sha256);
}
