package io.switchboard.gateway.operations;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the operations service answers.
 *
 * @param url            its base URL; a routed request keeps its path and query
 * @param connectTimeout how long a connection may take before the service counts as down
 * @param timeout        how long a routed request may take in all; a redrive waits for a broker
 */
@ConfigurationProperties("switchboard.operations")
record OperationsProperties(
        @DefaultValue("http://127.0.0.1:8084") URI url,
        @DefaultValue("1s") Duration connectTimeout,
        @DefaultValue("30s") Duration timeout) {
}
