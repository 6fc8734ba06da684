package io.switchboard.gateway.admin;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The SHA-256 hashes (hex) of the keys that may use {@code /v1/admin}. They are no tenant's keys;
 * several allow rotation. In production they come from a Secret; without any, every admin request
 * is refused.
 */
@ConfigurationProperties("switchboard.admin")
record AdminProperties(List<String> apiKeySha256) {

    AdminProperties {
        apiKeySha256 = apiKeySha256 == null ? List.of() : apiKeySha256;
    }
}
