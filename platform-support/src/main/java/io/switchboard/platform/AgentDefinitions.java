package io.switchboard.platform;

import io.switchboard.platform.agents.AgentCatalog;
import io.switchboard.platform.agents.AgentDefinition;
import java.util.List;
import java.util.Optional;

/**
 * Agent definitions, read through Memcached from the catalog. The keys' version is that of what
 * Memcached holds: v3 entries carry their expiry and load time.
 */
public class AgentDefinitions {

    private final ReadThroughCache cache;
    private final AgentCatalog catalog;

    AgentDefinitions(ReadThroughCache cache, AgentCatalog catalog) {
        this.cache = cache;
        this.catalog = catalog;
    }

    public Optional<AgentDefinition> find(String name) {
        return Optional.ofNullable(cache.get("sb:agent:v6:" + name, AgentDefinition.class,
                () -> catalog.find(name).orElse(null)));
    }

    public List<AgentDefinition> all() {
        return cache.get("sb:agents:v6", Listing.class, () -> new Listing(catalog.all())).agents();
    }

    record Listing(List<AgentDefinition> agents) {
    }
}
