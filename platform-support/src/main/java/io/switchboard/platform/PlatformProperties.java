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
        @DefaultValue Tasks tasks,
        @DefaultValue Dedupe dedupe,
        @DefaultValue Metrics metrics) {

    /**
     * @param partitions  partitions of each topic created at start-up
     * @param replicas    replication factor of those topics
     * @param retention   how long topics keep records, long enough to replay
     * @param sendTimeout how long a publisher waits for Kafka's acknowledgement
     * @param outagePatience how long a listener keeps retrying a record while Redis, RabbitMQ or
     *                       Kafka is unreachable before the record is dead-lettered
     */
    public record Kafka(
            @DefaultValue("6") int partitions,
            @DefaultValue("1") short replicas,
            @DefaultValue("7d") Duration retention,
            @DefaultValue("10s") Duration sendTimeout,
            @DefaultValue("15m") Duration outagePatience) {
    }

    /**
     * @param bloomCapacity          events per consumer and retention period the Bloom filter is
     *                               sized for; past it the filter answers "maybe seen" more often
     *                               and the exact check does more of the work
     * @param bloomFalsePositiveRate the filter's false-positive rate at that capacity
     */
    public record Dedupe(@DefaultValue("1000000") long bloomCapacity, @DefaultValue("0.01") double bloomFalsePositiveRate) {
    }

    /** @param retention how long runs, their events, aggregations and de-duplication marks are kept */
    public record Runs(@DefaultValue("7d") Duration retention) {
    }

    /**
     * @param servers {@code host:port host:port ...}; without it a service has no read-through cache
     * @param ttl     how long a cached value is fresh; Memcached keeps it as long again, served while it is reloaded
     */
    public record Memcached(String servers, @DefaultValue("5m") Duration ttl, @DefaultValue("200ms") Duration timeout) {
    }

    /** @param confirmTimeout how long a sender waits for RabbitMQ to confirm a task it sent */
    public record Tasks(@DefaultValue("10s") Duration confirmTimeout) {
    }

    /** @param maxTenants tenants that get their own series in metrics tagged by tenant; the rest are {@code other} */
    public record Metrics(@DefaultValue("100") int maxTenants) {
    }

    /** @param catalog the agent catalog (YAML) */
    public record Agents(@DefaultValue("classpath:switchboard/agents.yml") Resource catalog) {
    }
}
