package io.switchboard.gateway.ratelimit;

import io.switchboard.platform.PlatformProperties;
import java.time.Duration;

/**
 * A tenant's limit: at most {@code runs} run creations in any sliding {@code window}. It is
 * advertised as the quota policy {@value #NAME} of draft-ietf-httpapi-ratelimit-headers.
 */
record Policy(int runs, Duration window) {

    static final String NAME = "runs";

    /** The tenant's own limit, with what it leaves unset taken from the platform's. */
    static Policy of(String tenantId, PlatformProperties.RateLimit own, Policy platform) {
        if (own == null) {
            return platform;
        }
        return checked("switchboard.tenants." + tenantId + ".rate-limit",
                own.runs() == null ? platform.runs() : own.runs(),
                own.window() == null ? platform.window() : own.window());
    }

    static Policy checked(String property, int runs, Duration window) {
        if (runs < 0) {
            throw new IllegalStateException(property + ": runs must not be negative, was " + runs);
        }
        if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.toMillis() % 1000 != 0) {
            throw new IllegalStateException(property + ": the window must be whole seconds, at least 1s, was " + window);
        }
        return new Policy(runs, window);
    }

    /** The {@code RateLimit-Policy} field value, for example {@code "runs";q=5;w=10}. */
    String header() {
        return "\"" + NAME + "\";q=" + runs + ";w=" + window.toSeconds();
    }
}
