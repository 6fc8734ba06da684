package io.switchboard.platform;

import io.switchboard.events.Envelope;
import io.switchboard.events.kafka.CloudEventRecords;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes an event to Kafka and returns only once the broker acknowledged it ({@code acks=all},
 * idempotent producer), so no caller acts on an event that may not exist.
 */
public class EventPublisher {

    private final KafkaTemplate<String, Object> kafka;
    private final Duration timeout;

    EventPublisher(KafkaTemplate<String, Object> kafka, Duration timeout) {
        this.kafka = kafka;
        this.timeout = timeout;
    }

    /** Sends {@code event} keyed by conversation; throws {@link KafkaException} unless Kafka acknowledged it in time. */
    public void publish(String topic, String conversationId, Envelope envelope, Record event) {
        try {
            kafka.send(CloudEventRecords.record(topic, conversationId, envelope, event))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while publishing " + envelope.type() + " to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaException("Kafka did not acknowledge " + envelope.type() + " on " + topic + " within " + timeout, e);
        }
    }
}
