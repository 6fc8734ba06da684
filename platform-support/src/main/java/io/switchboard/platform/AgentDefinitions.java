package io.switchboard.platform;

import io.switchboard.platform.agents.AgentCatalog;
import io.switchboard.platform.agents.AgentDefinition;
import io.switchboard.platform.agents.PromptTemplate;
import java.util.List;
import java.util.Optional;

/**
 * Agent definitions and prompt templates, read through Memcached from the catalog. A key's
 * version changes with the shape of what Memcached holds for it.
 */
public class AgentDefinitions {

    private final ReadThroughCache cache;
    private final AgentCatalog catalog;

    AgentDefinitions(ReadThroughCache cache, AgentCatalog catalog) {
        this.cache = cache;
        this.catalog = catalog;
    }

    public Optional<AgentDefinition> find(String name) {
        return Optional.ofNullable(cache.get("sb:agent:v7:" + name, AgentDefinition.class,
                () -> catalog.find(name).orElse(null)));
    }

    /** A prompt template, {@code <name>@<version>} or {@code <name>} for its highest version. */
    public Optional<PromptTemplate> prompt(String reference) {
        return Optional.ofNullable(cache.get("sb:prompt:v1:" + reference, PromptTemplate.class,
                () -> catalog.prompt(reference).orElse(null)));
    }

    public List<AgentDefinition> all() {
        return cache.get("sb:agents:v7", Listing.class, () -> new Listing(catalog.all())).agents();
    }

    record Listing(List<AgentDefinition> agents) {
    }
}
