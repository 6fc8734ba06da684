package io.switchboard.planner.planning;

import io.switchboard.events.agents.AgentCatalog;
import io.switchboard.events.agents.AgentDefinition;
import io.switchboard.events.cache.ReadThroughCache;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Component;

/** Agent definitions, read through Memcached from the catalog. */
@Component
class AgentDefinitions {

    private final ReadThroughCache cache;
    private final AgentCatalog catalog;

    AgentDefinitions(ReadThroughCache cache, AgentCatalog catalog) {
        this.cache = cache;
        this.catalog = catalog;
    }

    Optional<AgentDefinition> find(String name) {
        return Optional.ofNullable(cache.get("sb:agent:v1:" + name, AgentDefinition.class,
                () -> catalog.find(name).orElse(null)));
    }

    @Configuration(proxyBeanMethods = false)
    static class AgentConfiguration {

        @Bean
        AgentCatalog agentCatalog(AgentProperties properties) throws IOException {
            return AgentCatalog.read(properties.catalog().getInputStream());
        }

        @Bean(destroyMethod = "close")
        ReadThroughCache readThroughCache(MemcachedProperties memcached) {
            return ReadThroughCache.connect(memcached.servers(), memcached.ttl(), memcached.timeout());
        }
    }

    /** @param catalog the agent catalog (YAML); the platform's own by default */
    @ConfigurationProperties("switchboard.agents")
    record AgentProperties(@DefaultValue("classpath:switchboard/agents.yml") Resource catalog) {
    }

    @ConfigurationProperties("switchboard.memcached")
    record MemcachedProperties(
            @DefaultValue("127.0.0.1:11211") String servers,
            @DefaultValue("5m") Duration ttl,
            @DefaultValue("200ms") Duration timeout) {
    }
}
