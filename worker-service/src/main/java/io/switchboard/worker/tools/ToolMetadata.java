package io.switchboard.worker.tools;

import java.time.Duration;

/**
 * What the platform knows of a tool.
 *
 * @param maxAttempts   how often a task of this tool is tried before it is dead-lettered
 * @param timeout       the longest one call may take
 * @param deterministic the same version with the same arguments always gives the same output, so
 *                      successful outputs are cached
 * @param tokens        the estimated tokens one call costs, reserved from the run's and the tenant's budgets
 */
public record ToolMetadata(String name, int version, String description, int maxAttempts, Duration timeout,
                           boolean deterministic, long tokens) {
}
