package io.switchboard.tools;

import java.time.Duration;

/**
 * What the platform knows of a tool.
 *
 * @param version       part of the key of a cached output: a new version never meets the old one's outputs
 * @param maxAttempts   how often a task of this tool is tried before it is dead-lettered; only failures
 *                      that may pass (timeouts, 5xx) are retried, permanent ones never
 * @param timeout       the longest one call may take
 * @param deterministic the same version with the same arguments always gives the same output, so
 *                      successful outputs are cached (per tenant)
 * @param tokens        the estimated tokens one call costs, reserved from the run's and the tenant's budgets
 */
public record ToolMetadata(String name, int version, String description, int maxAttempts, Duration timeout,
                           boolean deterministic, long tokens) {

    /** For a tool that does not describe itself: tried once, for at most 10 s, free, never cached. */
    public static ToolMetadata defaultsFor(String name) {
        return new ToolMetadata(name, 0, "", 1, Duration.ofSeconds(10), false, 0);
    }
}
