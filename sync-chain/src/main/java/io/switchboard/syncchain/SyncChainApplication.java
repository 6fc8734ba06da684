package io.switchboard.syncchain;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The synchronous baseline of the benchmark: the platform's gateway, planner, worker and composer
 * as blocking REST calls on bounded thread pools, running the same tool code. One role per JVM,
 * chosen by {@code chain.role}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SyncChainApplication {

    /**
     * The JDK's HTTP client keeps at most 5 idle connections per host unless told otherwise; the
     * chain keeps as many as a role has threads calling the next one, so calls reuse connections.
     */
    private static final String KEPT_CONNECTIONS = "200";

    public static void main(String[] args) {
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", KEPT_CONNECTIONS);
        }
        SpringApplication.run(SyncChainApplication.class, args);
    }
}
