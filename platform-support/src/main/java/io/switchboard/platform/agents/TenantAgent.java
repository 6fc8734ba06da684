package io.switchboard.platform.agents;

import java.time.Instant;

/**
 * An agent a tenant defined through the API: always a model agent, seen and run by that tenant
 * alone. Each definition stored gets the next version of its name.
 */
public record TenantAgent(int version, Instant updatedAt, AgentDefinition definition) {
}
