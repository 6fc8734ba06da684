package io.switchboard.syncchain;

import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The settings of one role of the chain.
 *
 * @param role          which of the four this JVM is
 * @param apiKey        the key the gateway accepts ({@code Authorization: Bearer <key>})
 * @param plannerUrl    where the gateway finds the planner
 * @param workerUrl     where the planner finds the worker
 * @param composerUrl   where the planner finds the composer
 * @param fanOutThreads the planner's fixed pool of threads that call the worker, one task each
 * @param toolLatency   how long the worker waits before each tool call, to simulate slow tools
 * @param callTimeout   how long a role waits for the answer of the next one
 */
@ConfigurationProperties("chain")
record ChainProperties(
        Role role,
        @DefaultValue("acme-dev-key") String apiKey,
        @DefaultValue("http://127.0.0.1:8091") String plannerUrl,
        @DefaultValue("http://127.0.0.1:8092") String workerUrl,
        @DefaultValue("http://127.0.0.1:8093") String composerUrl,
        @DefaultValue("200") int fanOutThreads,
        @DefaultValue("0ms") Duration toolLatency,
        @DefaultValue("30s") Duration callTimeout) {

    ChainProperties {
        Objects.requireNonNull(role, "chain.role must be one of gateway, planner, worker, composer");
    }

    enum Role {
        GATEWAY, PLANNER, WORKER, COMPOSER
    }
}
