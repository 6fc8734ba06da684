package io.switchboard.worker.execution;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param confirmTimeout how long to wait for RabbitMQ to confirm a retry or dead letter
 * @param sendTimeout    how long to wait for Kafka to acknowledge {@code agent.tool_called}
 * @param doneRetention  how long a finished task is remembered, so a redelivery is not run again
 */
@ConfigurationProperties("switchboard.worker")
record WorkerProperties(
        @DefaultValue("10s") Duration confirmTimeout,
        @DefaultValue("10s") Duration sendTimeout,
        @DefaultValue("1d") Duration doneRetention) {
}
