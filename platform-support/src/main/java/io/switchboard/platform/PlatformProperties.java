package io.switchboard.platform;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.core.io.Resource;

/** What every service configures the same way. */
@ConfigurationProperties("switchboard")
public record PlatformProperties(
        @DefaultValue Kafka kafka,
        @DefaultValue Runs runs,
        @DefaultValue Memcached memcached,
        @DefaultValue Agents agents,
        @DefaultValue Tasks tasks) {

    /**
     * @param partitions  partitions of each topic created at start-up
     * @param replicas    replication factor of those topics
     * @param retention   how long topics keep records, long enough to replay
     * @param sendTimeout how long a publisher waits for Kafka's acknowledgement
     */
    public record Kafka(
            @DefaultValue("6") int partitions,
            @DefaultValue("1") short replicas,
            @DefaultValue("7d") Duration retention,
            @DefaultValue("10s") Duration sendTimeout) {
    }

    /** @param retention how long runs, their events, aggregations and de-duplication marks are kept */
    public record Runs(@DefaultValue("7d") Duration retention) {
    }

    /** @param servers {@code host:port host:port ...}; without it a service has no read-through cache */
    public record Memcached(String servers, @DefaultValue("5m") Duration ttl, @DefaultValue("200ms") Duration timeout) {
    }

    /** @param confirmTimeout how long a sender waits for RabbitMQ to confirm a task it sent */
    public record Tasks(@DefaultValue("10s") Duration confirmTimeout) {
    }

    /** @param catalog the agent catalog (YAML) */
    public record Agents(@DefaultValue("classpath:switchboard/agents.yml") Resource catalog) {
    }
}
