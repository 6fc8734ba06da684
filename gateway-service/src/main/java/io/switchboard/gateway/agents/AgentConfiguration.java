package io.switchboard.gateway.agents;

import io.switchboard.events.agents.AgentCatalog;
import io.switchboard.events.cache.ReadThroughCache;
import java.io.IOException;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;

@Configuration(proxyBeanMethods = false)
class AgentConfiguration {

    @Bean
    AgentCatalog agentCatalog(AgentProperties properties) throws IOException {
        return AgentCatalog.read(properties.catalog().getInputStream());
    }

    @Bean(destroyMethod = "close")
    ReadThroughCache readThroughCache(MemcachedProperties memcached) {
        return ReadThroughCache.connect(memcached.servers(), memcached.ttl(), memcached.timeout());
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
