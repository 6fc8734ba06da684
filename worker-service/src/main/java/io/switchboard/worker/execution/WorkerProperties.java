package io.switchboard.worker.execution;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** @param confirmTimeout how long to wait for RabbitMQ to confirm a retry or dead letter */
@ConfigurationProperties("switchboard.worker")
record WorkerProperties(@DefaultValue("10s") Duration confirmTimeout) {
}
